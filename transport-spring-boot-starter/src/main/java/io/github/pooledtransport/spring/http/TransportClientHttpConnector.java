package io.github.pooledtransport.spring.http;

import java.net.URI;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Function;

import reactor.core.publisher.Mono;
import reactor.core.publisher.MonoSink;

import org.springframework.core.io.buffer.DataBufferFactory;
import org.springframework.core.io.buffer.DefaultDataBufferFactory;
import org.springframework.http.HttpMethod;
import org.springframework.http.client.reactive.ClientHttpConnector;
import org.springframework.http.client.reactive.ClientHttpRequest;
import org.springframework.http.client.reactive.ClientHttpResponse;

import io.github.pooledtransport.core.Request;
import io.github.pooledtransport.core.Response;
import io.github.pooledtransport.core.Transport;

/**
 * Spring's reactive {@link ClientHttpConnector} on the shared pooled {@link Transport}: {@code WebClient} and
 * reactive HTTP service clients use the same pool, settings, endpoint, health and meters as {@code RestClient}.
 * <p>
 * The transport blocks, so each exchange runs on a {@link ConnectorThreads} thread (virtual where the JDK has
 * them) and never on the subscriber's thread. Bodies stream both ways with back-pressure: the request body is
 * asked for one buffer at a time as the connection takes it, the response body is read a chunk per buffer the
 * subscriber asks for. Cancelling the subscription, at any step, cancels the call ({@link
 * io.github.pooledtransport.core.Call#cancel()}): a connection wait ends, and a connection with a request or body
 * half done is closed, never handed to another request. Timeouts are the transport's (and the Spring client
 * settings' connect and read timeouts), and a failure names the setting that applied, as with {@code RestClient}.
 */
public final class TransportClientHttpConnector implements ClientHttpConnector {

    /**
     * Where WebClient keeps its observation in the Reactor context: Micrometer's
     * {@code ObservationThreadLocalAccessor.KEY}, named here so that context-propagation need not be present.
     */
    static final String OBSERVATION_KEY = "micrometer.observation";

    private final TransportClientHttpRequestFactory settings;

    private final ConnectorThreads threads;

    private final String maxThreadsSetting;

    private final DataBufferFactory bufferFactory = DefaultDataBufferFactory.sharedInstance;

    /**
     * A connector with the transport's own settings, following redirects and without cookies.
     *
     * @param transport the shared transport
     * @param threads where calls block
     */
    public TransportClientHttpConnector(Transport transport, ConnectorThreads threads) {
        this(new TransportClientHttpRequestFactory(transport), threads, null);
    }

    /**
     * @param settings the transport and the client settings its calls use
     * @param threads where calls block
     * @param maxThreadsSetting the property that bounds {@code threads}, to name when they are saturated, or
     *     {@code null}
     */
    TransportClientHttpConnector(TransportClientHttpRequestFactory settings, ConnectorThreads threads,
            String maxThreadsSetting) {
        this.settings = settings;
        this.threads = threads;
        this.maxThreadsSetting = maxThreadsSetting;
    }

    @Override
    public Mono<ClientHttpResponse> connect(HttpMethod method, URI uri,
            Function<? super ClientHttpRequest, Mono<Void>> requestCallback) {
        TransportReactiveRequest request = new TransportReactiveRequest(method, uri, this.bufferFactory);
        AtomicReference<TransportReactiveResponse> emitted = new AtomicReference<>();
        // A cancel that comes after the response was emitted (WebClient's exchangeToMono under a timeout) or a
        // response Reactor discards must still free the connection when nobody subscribed to the body.
        return requestCallback.apply(request)
                .then(Mono.deferContextual((context) -> exchange(request, context.getOrDefault(OBSERVATION_KEY, null))))
                .doOnNext((response) -> emitted.set((TransportReactiveResponse) response))
                .doOnCancel(() -> {
                    TransportReactiveResponse response = emitted.get();
                    if (response != null) {
                        response.abandonIfUnsubscribed();
                    }
                })
                .doOnDiscard(TransportReactiveResponse.class, TransportReactiveResponse::abandonIfUnsubscribed);
    }

    /**
     * @param parentObservation WebClient's {@code http.client.requests} observation from the Reactor context, or
     *     {@code null}: in scope on the call thread while the call runs, so the transport's observations (and a
     *     tracer's spans) of the connection wait and the dial go under it, as for {@code RestClient}
     */
    private Mono<ClientHttpResponse> exchange(TransportReactiveRequest request, Object parentObservation) {
        return Mono.create((sink) -> {
            CallHandle handle = new CallHandle();
            AtomicBoolean settled = new AtomicBoolean();
            sink.onCancel(() -> {
                if (settled.compareAndSet(false, true)) {
                    handle.cancel();
                }
            });
            Request transportRequest = request.toTransportRequest(this.settings, handle);
            try {
                this.threads.calls().execute(() -> ObservationScope.run(parentObservation,
                        () -> send(transportRequest, request.credentials(), handle, settled, sink)));
            }
            catch (RejectedExecutionException ex) {
                if (settled.compareAndSet(false, true)) {
                    sink.error(saturated(ex));
                }
            }
        });
    }

    private void send(Request request, UserInfoCredentials credentials, CallHandle handle, AtomicBoolean settled,
            MonoSink<ClientHttpResponse> sink) {
        Response response;
        try {
            response = this.settings.execute(request, credentials, handle);
        }
        catch (Throwable ex) {
            fail(settled, sink, this.settings.explain(ex));
            return;
        }
        if (settled.compareAndSet(false, true)) {
            // A cancel between the flag and success makes Reactor discard the response: doOnDiscard frees it.
            sink.success(new TransportReactiveResponse(response, handle, this.threads.bodies(), this.bufferFactory,
                    this.settings));
        }
        else {
            // Cancelled as the response came: nobody will read it, so its connection must not wait for a reader.
            handle.cancel();
            try {
                response.close();
            }
            catch (java.io.IOException | RuntimeException ex) {
                // closed instead of reused
            }
        }
    }

    private static void fail(AtomicBoolean settled, MonoSink<ClientHttpResponse> sink, Throwable error) {
        if (settled.compareAndSet(false, true)) {
            sink.error(error);
        } // else the subscriber cancelled and the failure is the cancellation's own
    }

    private RejectedExecutionException saturated(RejectedExecutionException ex) {
        if (this.threads.calls().isShutdown()) {
            return new RejectedExecutionException("The reactive connector's threads were closed (with the application "
                    + "context); no new call can start", ex);
        }
        String setting = (this.maxThreadsSetting != null) ? " (" + this.maxThreadsSetting + ")" : "";
        return new RejectedExecutionException("All " + this.threads.maxThreads() + " reactive connector threads"
                + setting + " are busy and " + ConnectorThreads.MAX_QUEUED + " calls already wait for one; raise "
                + "the bound or run on Java 21+, where calls take virtual threads", ex);
    }

    /** @return the shared transport */
    public Transport getTransport() {
        return this.settings.getTransport();
    }
}
