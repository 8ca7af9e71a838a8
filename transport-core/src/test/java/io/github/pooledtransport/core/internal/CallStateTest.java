package io.github.pooledtransport.core.internal;

import java.net.URI;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import io.github.pooledtransport.core.HostKey;
import io.github.pooledtransport.core.TransportCancelledException;
import io.github.pooledtransport.core.TransportCancelledException.Cause;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * A stopped call is counted exactly once, and before anyone can see that it was stopped: a caller woken by the
 * stop (often on another thread than the timer's) reads the pool's stats and must find itself counted.
 */
@Timeout(10)
class CallStateTest {

    private static final HostKey KEY = HostKey.of(URI.create("http://127.0.0.1:1/"));

    @Test
    void aStopIsCountedBeforeTheCallCanSeeIt() throws Exception {
        CallState state = new CallState();
        CountDownLatch counting = new CountDownLatch(1);
        CountDownLatch mayFinishCounting = new CountDownLatch(1);
        state.start(KEY, 0, null, timedOut -> {
            counting.countDown();
            await(mayFinishCounting);
        });
        Thread stopper = new Thread(() -> state.stop(Cause.CALL_TIMEOUT), "stopper");
        stopper.start();
        assertThat(counting.await(5, TimeUnit.SECONDS)).isTrue();
        assertThat(state.isStopped()).as("visible before it was counted").isFalse();
        mayFinishCounting.countDown();
        stopper.join();
        assertThat(state.isStopped()).isTrue();
        assertThatThrownBy(state::throwIfStopped).isInstanceOf(TransportCancelledException.class);
    }

    @Test
    void onlyTheFirstStopIsCounted() throws Exception {
        CallState state = new CallState();
        AtomicInteger counted = new AtomicInteger();
        state.start(KEY, 0, null, timedOut -> counted.incrementAndGet());
        state.stop(Cause.CANCELLED);
        state.stop(Cause.CALL_TIMEOUT);
        state.stop(Cause.INTERRUPTED);
        assertThat(counted).hasValue(1);
        assertThatThrownBy(state::throwIfStopped).isInstanceOfSatisfying(TransportCancelledException.class,
                ex -> assertThat(ex.why()).isEqualTo(Cause.CANCELLED));
    }

    @Test
    void aCallThatCompletedIsNotCountedWhenStoppedLater() {
        CallState state = new CallState();
        AtomicInteger counted = new AtomicInteger();
        state.start(KEY, 0, null, timedOut -> counted.incrementAndGet());
        state.finish();
        state.stop(Cause.CANCELLED);
        assertThat(counted).hasValue(0);
    }

    private static void await(CountDownLatch latch) {
        try {
            latch.await(5, TimeUnit.SECONDS);
        }
        catch (InterruptedException ex) {
            Thread.currentThread().interrupt();
        }
    }
}
