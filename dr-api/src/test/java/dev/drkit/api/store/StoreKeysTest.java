package dev.drkit.api.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.drkit.api.DrException;
import dev.drkit.api.ErrorCode;
import org.junit.jupiter.api.Test;

class StoreKeysTest {
    @Test
    void ordinaryKeysAreAccepted() {
        assertThat(StoreKeys.requireValidKey("data/ab/0123abcd")).isEqualTo("data/ab/0123abcd");
        assertThat(StoreKeys.requireValidKey("config")).isEqualTo("config");
        assertThat(StoreKeys.requireValidKey("a/.hidden/..x")).isEqualTo("a/.hidden/..x");
    }

    @Test
    void prefixesMayBeEmptyPartialOrEndWithASlash() {
        assertThat(StoreKeys.requireValidPrefix("")).isEmpty();
        assertThat(StoreKeys.requireValidPrefix("data/")).isEqualTo("data/");
        assertThat(StoreKeys.requireValidPrefix("data/a")).isEqualTo("data/a");
    }

    @Test
    void negativeRangesAreRefusedNamingTheArgument() {
        StoreKeys.requireValidRange(0, 0);
        assertThatThrownBy(() -> StoreKeys.requireValidRange(-1, 4)).isInstanceOfSatisfying(DrException.class, e -> {
            assertThat(e.code()).isEqualTo(ErrorCode.INVALID_ARGUMENT);
            assertThat(e.getMessage()).startsWith("offset must be >= 0");
        });
        assertThatThrownBy(() -> StoreKeys.requireValidRange(4, -1)).isInstanceOfSatisfying(DrException.class,
                e -> assertThat(e.getMessage()).startsWith("length must be >= 0"));
    }

    @Test
    void overlongKeysAreRefusedNamingTheLimit() {
        String key = "k".repeat(StoreKeys.MAX_KEY_BYTES + 1);
        assertThatThrownBy(() -> StoreKeys.requireValidKey(key)).isInstanceOfSatisfying(DrException.class, e -> {
            assertThat(e.code()).isEqualTo(ErrorCode.INVALID_KEY);
            assertThat(e.getMessage()).contains("1024 bytes");
        });
    }

    @Test
    void controlCharactersAreShownEscapedInTheMessage() {
        assertThatThrownBy(() -> StoreKeys.requireValidKey("a\u0007b")).isInstanceOfSatisfying(DrException.class,
                e -> assertThat(e.getMessage()).contains("\\u0007").contains("U+0007"));
    }

    @Test
    void loneSurrogatesAreRefused() {
        assertThatThrownBy(() -> StoreKeys.requireValidKey("a\uD800b")).isInstanceOfSatisfying(DrException.class,
                e -> assertThat(e.code()).isEqualTo(ErrorCode.INVALID_KEY));
    }

    @Test
    void invalidArgumentMessagesNameTheFieldAndValue() {
        DrException e = DrException.invalidArgument("minCalls", "must be > 0", -3);
        assertThat(e.getMessage()).isEqualTo("minCalls must be > 0, but was -3");
        assertThat(e.input()).isEqualTo("minCalls=-3");
        assertThat(e.code().id()).isEqualTo("invalid-argument");
    }
}
