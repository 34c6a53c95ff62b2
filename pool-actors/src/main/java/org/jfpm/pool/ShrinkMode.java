package org.jfpm.pool;

import java.util.Locale;

/**
 * {@code pm.shrink}: how a dynamic pool gives back idle workers above {@code pm.max-spare-servers} on
 * its maintenance tick. See {@code docs/process-managers.md}.
 */
public enum ShrinkMode {
    /**
     * The default: on each tick, bury every idle worker above max-spare-servers that has been idle for
     * at least a full tick, longest idle first. A pool is back at max-spare-servers within about two
     * ticks of the end of a burst.
     */
    FAST,
    /** PHP-FPM's rule: bury one idle worker per tick (the one idle longest) while more than max-spare are idle. */
    GRADUAL;

    public String configName() {
        return name().toLowerCase(Locale.ROOT);
    }
}
