package org.jfpm.supervisor;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.jfpm.supervisor.config.ConfigError;
import org.jfpm.supervisor.config.ConfigException;
import org.jfpm.supervisor.fpm.FpmConfigException;
import org.jfpm.supervisor.fpm.FpmConfigReader;
import org.jfpm.supervisor.fpm.FpmTranslator;
import org.jfpm.supervisor.fpm.Warning;

/**
 * {@code jfpm import-fpm FILE...}: PHP-FPM configuration in, jfpm HOCON on stdout, one
 * {@code WARNING: file:line: ...} per line on stderr for what did not translate as is. The result is
 * then validated as {@code --test} would on this machine, and any error is a warning too.
 */
final class ImportFpmCommand {

    private ImportFpmCommand() {
    }

    /** @return 0, or 78 when a file cannot be read or parsed (nothing is printed on stdout then) */
    static int run(List<Path> files, Path prefix, PrintStream out, PrintStream err) {
        FpmConfigReader.Result read;
        try {
            read = new FpmConfigReader(prefix, System::getenv).read(files);
        } catch (FpmConfigException e) {
            err.println("ERROR: " + e.getMessage());
            return ExitCodes.CONFIG;
        }
        FpmTranslator.Translation t = FpmTranslator.translate(read, FpmTranslator.Host.system(prefix));
        for (Warning w : t.warnings()) {
            err.println("WARNING: " + w);
        }
        for (String problem : validate(t.hocon())) {
            err.println("WARNING: the imported configuration does not pass --test on this machine: " + problem);
        }
        out.print(t.hocon());
        out.flush();
        return ExitCodes.OK;
    }

    /** The errors {@code --test} would report for {@code hocon}, or none. */
    private static List<String> validate(String hocon) {
        Path tmp = null;
        try {
            tmp = Files.createTempFile("jfpm-import-", ".conf");
            Files.writeString(tmp, hocon);
            Main.load(tmp);
            return List.of();
        } catch (ConfigException e) {
            return e.errors().stream().map(ConfigError::toString).toList();
        } catch (IOException e) {
            return List.of("(not checked: " + e + ")");
        } finally {
            if (tmp != null) {
                try {
                    Files.deleteIfExists(tmp);
                } catch (IOException ignored) {
                    // a temp file left behind
                }
            }
        }
    }
}
