package org.jfpm.supervisor.config;

import java.util.List;
import java.util.stream.Collectors;

/** Every error found in one configuration; the message has one line per error. */
public final class ConfigException extends Exception {

    private final transient List<ConfigError> errors;

    public ConfigException(List<ConfigError> errors) {
        super(errors.stream().map(ConfigError::toString).collect(Collectors.joining("\n")));
        if (errors.isEmpty()) {
            throw new IllegalArgumentException("a ConfigException needs at least one error");
        }
        this.errors = List.copyOf(errors);
    }

    public List<ConfigError> errors() {
        return errors;
    }
}
