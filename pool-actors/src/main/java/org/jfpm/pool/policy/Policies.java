package org.jfpm.pool.policy;

import org.jfpm.pool.PmConfig;

/** The policy for a pool's {@code pm.mode}. */
public final class Policies {

    private Policies() {
    }

    /** A fresh policy for {@code pm.mode()}; its numbers are read from each view's {@code pm}. */
    public static Policy forMode(PmConfig pm) {
        return switch (pm.mode()) {
            case STATIC -> StaticPolicy.initial();
            case DYNAMIC -> DynamicPolicy.initial();
            case ONDEMAND -> OndemandPolicy.initial();
        };
    }
}
