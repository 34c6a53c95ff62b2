package org.jfpm.bench;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** {@code --name value} and {@code --flag} options; unknown names are errors that list the known ones. */
final class Args {
    private final Map<String, String> values = new HashMap<>();
    private final Set<String> flags;

    Args(String[] argv, Set<String> options, Set<String> flags, String usage) {
        this.flags = new java.util.HashSet<>();
        for (int i = 0; i < argv.length; i++) {
            String a = argv[i];
            if (a.equals("--help") || a.equals("-h")) {
                System.out.println(usage);
                System.exit(0);
            }
            String name = a.startsWith("--") ? a.substring(2) : null;
            String inline = null;
            if (name != null && name.contains("=")) {
                inline = name.substring(name.indexOf('=') + 1);
                name = name.substring(0, name.indexOf('='));
            }
            if (name != null && flags.contains(name) && inline == null) {
                this.flags.add(name);
            } else if (name != null && options.contains(name)) {
                if (inline == null && i + 1 >= argv.length) {
                    usageError("--" + name + " needs a value", usage);
                }
                values.put(name, inline != null ? inline : argv[++i]);
            } else {
                usageError("unknown argument '" + a + "'", usage);
            }
        }
    }

    private static void usageError(String message, String usage) {
        System.err.println("error: " + message + "\n" + usage);
        System.exit(64);
    }

    String string(String name, String def) {
        return values.getOrDefault(name, def);
    }

    int integer(String name, int def) {
        String v = values.get(name);
        if (v == null) {
            return def;
        }
        try {
            return Integer.parseInt(v);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("--" + name + " = '" + v + "': expected an integer");
        }
    }

    Path path(String name, String def) {
        return Path.of(string(name, def));
    }

    List<String> list(String name, String def) {
        String v = string(name, def);
        return v.isBlank() ? List.of() : Arrays.asList(v.trim().split("\\s*[, ]\\s*"));
    }

    boolean flag(String name) {
        return flags.contains(name);
    }
}
