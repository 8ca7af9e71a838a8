package io.github.pooledtransport.core.internal;

import java.io.ByteArrayInputStream;
import java.net.URI;

import org.junit.jupiter.api.Test;

import io.github.pooledtransport.core.CloseReason;
import io.github.pooledtransport.core.HostKey;
import io.github.pooledtransport.core.Request;
import io.github.pooledtransport.core.RequestBody;
import io.github.pooledtransport.core.TransportException;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The replay decision, kind by kind, as Go's {@code shouldRetryRequest}: the raw-socket scenarios are in the
 * fault suite; these pin the table, including the case a real socket rarely produces (nothing written).
 */
class RetryPolicyTest {

    private static final URI TARGET = URI.create("http://127.0.0.1:8080/x");

    @Test
    void nothingWrittenAllowsAnyMethodWithoutABody() {
        assertThat(replays(ExchangeFailure.Kind.NOTHING_WRITTEN, post(null), true, false)).isTrue();
    }

    @Test
    void nothingWrittenAllowsAPostWithARepeatableBody() {
        assertThat(replays(ExchangeFailure.Kind.NOTHING_WRITTEN, post(RequestBody.of(new byte[3])), true, false))
                .isTrue();
    }

    @Test
    void nothingWrittenRefusesAOneShotBody() {
        RequestBody once = RequestBody.ofStream(new ByteArrayInputStream(new byte[3]), 3);
        assertThat(replays(ExchangeFailure.Kind.NOTHING_WRITTEN, post(once), true, false)).isFalse();
    }

    @Test
    void noResponseAllowsGetButNotPostPutOrDelete() {
        assertThat(replays(ExchangeFailure.Kind.NO_RESPONSE, Request.get(TARGET), true, false)).isTrue();
        assertThat(replays(ExchangeFailure.Kind.NO_RESPONSE, post(null), true, false)).isFalse();
        assertThat(replays(ExchangeFailure.Kind.NO_RESPONSE, method("PUT"), true, false)).isFalse();
        assertThat(replays(ExchangeFailure.Kind.NO_RESPONSE, method("DELETE"), true, false)).isFalse();
    }

    @Test
    void noResponseAllowsAnyMethodWithAnIdempotencyKey() {
        Request keyed = Request.newBuilder(TARGET).method("DELETE", null).header("X-Idempotency-Key", "k").build();
        assertThat(replays(ExchangeFailure.Kind.NO_RESPONSE, keyed, true, false)).isTrue();
    }

    @Test
    void aFreshConnectionOrASecondFailureIsNeverReplayed() {
        assertThat(replays(ExchangeFailure.Kind.NOTHING_WRITTEN, Request.get(TARGET), false, false)).isFalse();
        assertThat(replays(ExchangeFailure.Kind.NOTHING_WRITTEN, Request.get(TARGET), true, true)).isFalse();
    }

    private static boolean replays(ExchangeFailure.Kind kind, Request request, boolean reused, boolean replayed) {
        ExchangeFailure failure = new ExchangeFailure(kind, CloseReason.SERVER_CLOSED,
                new TransportException(HostKey.of(TARGET), "failed", null));
        return RetryPolicy.shouldReplay(failure, request, reused, replayed);
    }

    private static Request post(RequestBody body) {
        return Request.newBuilder(TARGET).method("POST", body).build();
    }

    private static Request method(String method) {
        return Request.newBuilder(TARGET).method(method, null).build();
    }

    @Test
    void refusedIsSentAgainAtOnceThenAfterGosBackoffAtMostSixTimes() {
        ExchangeFailure refused = new ExchangeFailure(ExchangeFailure.Kind.REFUSED, null,
                new io.github.pooledtransport.core.TransportException(null, "refused", null));
        Request post = post(RequestBody.of(new byte[3]));
        assertThat(RetryPolicy.refusedRetryDelayNanos(refused, post, 0)).isZero();
        assertThat(RetryPolicy.refusedRetryDelayNanos(refused, post, 1)).isBetween(1_000_000_000L, 1_100_000_000L);
        assertThat(RetryPolicy.refusedRetryDelayNanos(refused, post, 5)).isBetween(16_000_000_000L, 17_600_000_000L);
        assertThat(RetryPolicy.refusedRetryDelayNanos(refused, post, 6)).isEqualTo(-1);
    }

    @Test
    void refusedWithAOneShotBodyIsNotSentAgain() {
        ExchangeFailure refused = new ExchangeFailure(ExchangeFailure.Kind.REFUSED, null,
                new io.github.pooledtransport.core.TransportException(null, "refused", null));
        RequestBody once = RequestBody.ofStream(new ByteArrayInputStream(new byte[3]), 3);
        assertThat(RetryPolicy.refusedRetryDelayNanos(refused, post(once), 0)).isEqualTo(-1);
    }

    @Test
    void onlyRefusedFollowsTheHttp2Rule() {
        ExchangeFailure noResponse = new ExchangeFailure(ExchangeFailure.Kind.NO_RESPONSE, null,
                new io.github.pooledtransport.core.TransportException(null, "gone", null));
        assertThat(RetryPolicy.refusedRetryDelayNanos(noResponse, Request.get(TARGET), 0)).isEqualTo(-1);
    }
}
