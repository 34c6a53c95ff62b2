package org.jfpm.supervisor.fpm;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.UnaryOperator;

/**
 * Reads PHP-FPM configuration files as PHP-FPM does ({@code fpm_conf.c}): line by line; entries before
 * any section and under {@code [global]} are global, any other {@code [name]} starts a pool or re-opens
 * one (names compared without case); {@code include = GLOB} is read where it stands (sections carry on
 * across files), at most 5 files deep; a relative include resolves against the prefix ({@code php-fpm -p},
 * else PHP-FPM's compile-time prefix {@code /usr}); {@code $pool} in a pool's values is its name, and in
 * a global value it is an error.
 */
public final class FpmConfigReader {

    /** PHP-FPM's compile-time prefix ({@code PHP_PREFIX}) on Debian, where relative includes go without {@code -p}. */
    public static final Path DEFAULT_PREFIX = Path.of("/usr");
    /** {@code fpm_conf_load_ini_file}: "failed to include more than 5 files recursively". */
    static final int MAX_DEPTH = 5;

    /** One pool: its name as first written, the line that opened it, its entries in order. */
    public record Pool(String name, Source section, List<IniLine.Entry> entries) {
    }

    /** Everything read: the files in the order read, the global entries, the pools, warnings. */
    public record Result(List<Path> files, List<IniLine.Entry> global, List<Pool> pools, List<Warning> warnings) {
    }

    private final Path prefix;
    private final UnaryOperator<String> env;
    private final List<Path> files = new ArrayList<>();
    private final List<IniLine.Entry> global = new ArrayList<>();
    private final Map<String, String> poolNames = new LinkedHashMap<>();
    private final Map<String, Source> poolSections = new LinkedHashMap<>();
    private final Map<String, List<IniLine.Entry>> poolEntries = new LinkedHashMap<>();
    private final List<Warning> warnings = new ArrayList<>();
    /** The lower-case name of the pool being read, or null in the global section. */
    private String current;

    /**
     * @param prefix as {@code php-fpm -p}: where relative includes (and relative pid and log paths)
     *               resolve; null for PHP-FPM's defaults
     * @param env    the environment for {@code ${VAR}}
     */
    public FpmConfigReader(Path prefix, UnaryOperator<String> env) {
        this.prefix = prefix;
        this.env = env;
    }

    /** Reads {@code paths} in order, as if each were included from the one before. */
    public Result read(List<Path> paths) throws FpmConfigException {
        for (Path p : paths) {
            readFile(p.toAbsolutePath().normalize(), 1, null);
        }
        List<Pool> pools = new ArrayList<>();
        poolNames.forEach((key, name) -> pools.add(new Pool(name, poolSections.get(key), List.copyOf(poolEntries.get(key)))));
        return new Result(List.copyOf(files), List.copyOf(global), pools, List.copyOf(warnings));
    }

    private void readFile(Path file, int depth, Source includedFrom) throws FpmConfigException {
        if (depth > MAX_DEPTH) {
            throw new FpmConfigException(includedFrom, "failed to include more than " + MAX_DEPTH
                    + " files recursively (as PHP-FPM): " + file);
        }
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(file);
        } catch (IOException e) {
            String why = e instanceof java.nio.file.NoSuchFileException ? "no such file"
                    : e instanceof java.nio.file.AccessDeniedException ? "permission denied" : e.toString();
            if (includedFrom != null) {
                throw new FpmConfigException(includedFrom, "cannot read included file " + file + ": " + why);
            }
            throw new FpmConfigException(new Source(file, 0), "cannot read it: " + why);
        }
        files.add(file);
        String text = new String(bytes, StandardCharsets.UTF_8);
        if (text.startsWith("\uFEFF")) {
            text = text.substring(1);
        }
        String[] lines = text.split("\r?\n", -1);
        for (int i = 0; i < lines.length; i++) {
            Source source = new Source(file, i + 1);
            IniLine line = IniLine.parse(lines[i], source, env);
            if (line instanceof IniLine.Section s) {
                section(s);
            } else if (line instanceof IniLine.Entry e) {
                if (e.name().equals("include") && e.index() == null) {
                    include(e, depth);
                } else {
                    entry(e);
                }
            }
        }
    }

    private void section(IniLine.Section s) {
        String key = s.name().toLowerCase(Locale.ROOT);
        if (key.equals("global")) {
            current = null;
            return;
        }
        current = key;
        poolNames.putIfAbsent(key, s.name());
        poolSections.putIfAbsent(key, s.source());
        poolEntries.computeIfAbsent(key, k -> new ArrayList<>());
    }

    private void entry(IniLine.Entry e) throws FpmConfigException {
        if (current == null) {
            if (e.value().value().contains("$pool")) {
                throw new FpmConfigException(e.source(), "unable to parse value for entry '" + e.key()
                        + "': Can't use '$pool' when the pool is not defined (as PHP-FPM)");
            }
            global.add(e);
            return;
        }
        String name = poolNames.get(current);
        IniValue v = e.value();
        if (v.value().contains("$pool") || (v.bareText() != null && v.bareText().contains("$pool"))) {
            v = new IniValue(v.value().replace("$pool", name),
                    v.bareText() == null ? null : v.bareText().replace("$pool", name), v.evaluated(), v.variables());
        }
        poolEntries.get(current).add(new IniLine.Entry(e.name(), e.index(), v, e.raw(), e.source()));
    }

    private void include(IniLine.Entry e, int depth) throws FpmConfigException {
        String pattern = e.value().value();
        if (pattern.isEmpty()) {
            throw new FpmConfigException(e.source(), "include with an empty value");
        }
        if (!pattern.startsWith("/")) {
            Path base = prefix != null ? prefix : DEFAULT_PREFIX;
            pattern = base.resolve(pattern).toString();
            if (prefix == null) {
                warnings.add(new Warning(e.source(), "include = " + e.value().value() + " is relative: PHP-FPM resolves it"
                        + " against its prefix (php-fpm -p, else the compile-time prefix " + DEFAULT_PREFIX + "), so it reads "
                        + pattern + "; give import-fpm --prefix DIR if php-fpm runs with -p DIR"));
            }
        }
        List<Path> matches;
        try {
            matches = Glob.isPattern(pattern) ? Glob.expand(pattern) : Files.isRegularFile(Path.of(pattern))
                    ? List.of(Path.of(pattern)) : List.of();
        } catch (IOException ex) {
            throw new FpmConfigException(e.source(), "unable to globalize '" + pattern + "' (" + ex.getMessage()
                    + "): PHP-FPM fails to start on this");
        }
        if (matches.isEmpty()) {
            warnings.add(new Warning(e.source(), "nothing matches the include pattern '" + pattern + "'"));
        }
        for (Path m : matches) {
            readFile(m.toAbsolutePath().normalize(), depth + 1, e.source());
        }
    }
}
