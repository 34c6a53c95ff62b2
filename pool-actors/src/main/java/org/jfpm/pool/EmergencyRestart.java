package org.jfpm.pool;

import java.time.Duration;

/**
 * PHP-FPM's {@code emergency_restart_threshold/interval}: {@code threshold} abnormal worker deaths
 * within {@code interval} restart the pool as a new generation; {@code threshold = 0} is off.
 */
public record EmergencyRestart(int threshold, Duration interval) {

    public static EmergencyRestart off() {
        return new EmergencyRestart(0, Duration.ZERO);
    }
}
