package org.jfpm.pool;

/**
 * A pool's template as the status shows it, apart from the workers ({@code spawn-mode = fork}).
 *
 * @param pid        the template's pid (the master's own spawn)
 * @param state      {@code starting} (not at its first accept() yet), {@code ready} (forking), or
 *                   {@code refused} (it cannot fork; the generation execs)
 * @param generation the generation it forks for
 */
public record TemplateInfo(long pid, String state, long generation) {
}
