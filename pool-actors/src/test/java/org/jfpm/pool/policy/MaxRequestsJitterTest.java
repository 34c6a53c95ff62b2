package org.jfpm.pool.policy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class MaxRequestsJitterTest {

    @ParameterizedTest(name = "max-requests {0}: limits within [{1}, {2}]")
    @CsvSource({"1, 1, 1", "9, 9, 9", "10, 10, 11", "100, 100, 110", "500, 500, 550", "1000000, 1000000, 1100000"})
    void staysWithinTenPercentAboveTheSetting(long maxRequests, long low, long high) {
        for (long pid = 1; pid < 5000; pid++) {
            long limit = MaxRequestsJitter.limitFor(pid, maxRequests);
            assertTrue(limit >= low && limit <= high, "pid " + pid + ": " + limit);
            assertEquals(limit, MaxRequestsJitter.limitFor(pid, maxRequests), "deterministic");
        }
    }

    @Test
    void zeroMeansNever() {
        assertEquals(Long.MAX_VALUE, MaxRequestsJitter.limitFor(1234, 0));
        assertEquals(Long.MAX_VALUE, MaxRequestsJitter.limitFor(1234, -1));
    }

    @Test
    void consecutivePidsSpreadOverTheWholeRange() {
        Set<Long> limits = new HashSet<>();
        for (long pid = 20_000; pid < 20_050; pid++) {
            limits.add(MaxRequestsJitter.limitFor(pid, 100));
        }
        assertEquals(11, limits.size(), "50 consecutive pids hit every limit in 100..110: " + limits);
    }
}
