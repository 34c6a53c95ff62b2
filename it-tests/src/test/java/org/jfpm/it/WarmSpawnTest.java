package org.jfpm.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.jfpm.scoreboard.FastCgiRecords;
import org.jfpm.scoreboard.SlotSnapshot;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 9.4: php-cgi workers forked from a template ({@code spawn-mode = fork}). Each forked worker
 * is its own: pid, slot, scoreboard accounting, a parent that is the master. They share one APCu
 * and one OPcache (a value stored by one is read by another; the hit counter is pool-wide). Random
 * state differs. The template is named {@code jfpm-template}, is not counted as a worker, and a
 * SIGKILLed master takes it and the forked workers with it. A multi-threaded template falls back to
 * exec.
 */
class WarmSpawnTest {

    private static final String POOL = "warm";
    private static final Pattern LINE = Pattern.compile(
            "pid=(\\d+) ppid=(\\d+) slot=(\\S*) apcu=(\\d+) hits=(\\d+) rb=(\\w+) mt=(\\d+) uniq=(\\w+)");

    @TempDir
    Path tmp;

    private record Answer(long pid, long ppid, long apcu, long hits, String randomBytes, long mtRand, String uniqid) {
    }

    private Path script() throws Exception {
        Path docroot = Files.createDirectories(tmp.resolve("www"));
        Path who = docroot.resolve("who.php");
        Files.writeString(who, String.join("\n",
                "<?php",
                "$n = apcu_inc('counter', 1, $ok);",
                "if (!$ok) { apcu_store('counter', 1); $n = 1; }",
                "$s = opcache_get_status(false);",
                "printf('pid=%d ppid=%d slot=%s apcu=%d hits=%d rb=%s mt=%d uniq=%s', getmypid(), posix_getppid(),",
                "    getenv('JFPM_SLOT'), $n, $s['opcache_statistics']['hits'], bin2hex(random_bytes(8)), mt_rand(), uniqid());",
                ""));
        // OPcache does not cache a file changed in the last opcache.file_update_protection (2 s)
        Files.setLastModifiedTime(who, java.nio.file.attribute.FileTime.fromMillis(System.currentTimeMillis() - 3_600_000));
        return who;
    }

    private static Answer ask(Jfpm jfpm, Path script) {
        FastCgiRecords.Response r = FastCgi.request(jfpm.pool(POOL).address(), FastCgiRecords.params(script.toString(), ""),
                Duration.ofSeconds(10));
        Matcher m = LINE.matcher(r.body());
        assertTrue(m.find(), "php answered: " + r.stdout() + r.stderr());
        return new Answer(Long.parseLong(m.group(1)), Long.parseLong(m.group(2)), Long.parseLong(m.group(4)),
                Long.parseLong(m.group(5)), m.group(6), Long.parseLong(m.group(7)), m.group(8));
    }

    @Test
    @Timeout(value = 90, unit = TimeUnit.SECONDS)
    void forkedPhpWorkersAreTheirOwnButShareApcuAndOpcache() throws Exception {
        Path script = script();
        try (Jfpm jfpm = Jfpm.in(tmp).status()
                .pool(PoolSpec.named(POOL, Workers.phpCgi(), "preload").staticPm(3).set("spawn-mode", "fork"))
                .start()) {
            jfpm.awaitLog("\\[pool warm\\] template (\\d+) ready", Duration.ofSeconds(20));
            Matcher tm = Pattern.compile("template (\\d+) started").matcher(String.join("\n", jfpm.log()));
            assertTrue(tm.find(), jfpm.dump());
            long templatePid = Long.parseLong(tm.group(1));
            Set<Long> workers = jfpm.awaitWorkers(POOL, 3, "JFPM_POOL", POOL, Duration.ofSeconds(20));
            jfpm.awaitIdle(POOL, 3, Duration.ofSeconds(20));
            assertEquals(3, jfpm.startedPids(POOL).size(), "three workers: " + jfpm.dump());
            assertTrue(jfpm.logContains("child \\d+ started \\(forked\\)"), jfpm.dump());
            assertFalse(jfpm.startedPids(POOL).contains(templatePid), "the template is not a worker");
            assertEquals("jfpm-template", Procs.comm(templatePid).orElse("?"));
            assertEquals(jfpm.pid(), Procs.ppid(templatePid).orElse(-1L));

            Map<Long, Answer> byPid = new HashMap<>();
            long lastApcu = 0;
            long firstHits = -1;
            long lastHits = 0;
            for (int i = 0; i < 30 && byPid.size() < 3; i++) {
                Answer a = ask(jfpm, script);
                assertTrue(a.apcu() > lastApcu, "one APCu counter for the pool: " + a + " after " + lastApcu);
                lastApcu = a.apcu();
                if (firstHits < 0) {
                    firstHits = a.hits();
                } else {
                    assertTrue(a.hits() > lastHits, "one OPcache hit counter for the pool: " + a + " after " + lastHits);
                }
                lastHits = a.hits();
                byPid.putIfAbsent(a.pid(), a);
            }
            assertEquals(3, byPid.size(), "every worker answered: " + byPid.keySet());
            assertEquals(workers, byPid.keySet(), "the answering pids are the master's children in /proc");
            for (Answer a : byPid.values()) {
                assertEquals(jfpm.pid(), a.ppid(), "getppid() of a forked worker is the master: " + a);
            }
            assertTrue(lastHits > firstHits + 1, "the OPcache hit counter is pool-wide: " + firstHits + " -> " + lastHits);
            assertEquals(3, new HashSet<>(byPid.values().stream().map(Answer::randomBytes).toList()).size(), "random_bytes");
            assertEquals(3, new HashSet<>(byPid.values().stream().map(Answer::mtRand).toList()).size(), "mt_rand");
            assertEquals(3, new HashSet<>(byPid.values().stream().map(Answer::uniqid).toList()).size(), "uniqid");

            String control = Procs.fdTarget(templatePid, 4);
            assertTrue(control.startsWith("socket:"), "the template's control socket: " + control);
            for (long pid : workers) {
                for (int fd : Procs.fds(pid)) {
                    String target = Procs.fdTarget(pid, fd);
                    assertFalse(target.equals(control) || target.startsWith("/memfd:"),
                            "worker " + pid + " fd " + fd + " is " + target + ": neither the control socket nor the scoreboard");
                }
            }

            List<SlotSnapshot> slots = jfpm.inUse(POOL);
            assertEquals(3, slots.size(), "the template has no slot: " + slots);
            Set<Long> slotPids = new HashSet<>();
            long requests = 0;
            for (SlotSnapshot s : slots) {
                slotPids.add(s.pid());
                requests += s.requests();
            }
            assertEquals(workers, slotPids, "each forked worker claimed its own slot");
            assertEquals(lastApcu, requests, "each worker accounts its own requests in its slot");
            String status = Http.get(jfpm.statusAddress(), "/status/" + POOL + "?json&full", Duration.ofSeconds(5)).body();
            assertTrue(status.contains("\"total processes\":3"), status);
            assertFalse(status.contains("\"pid\":" + templatePid + ","), "the template is not listed: " + status);
            String api = Http.get(jfpm.statusAddress(), "/api/pools", Duration.ofSeconds(5)).body();
            assertTrue(api.contains("\"template\":{\"pid\":" + templatePid + ",\"state\":\"ready\",\"generation\":1}"),
                    "/api/pools shows the template apart: " + api);
            assertEquals(1, api.split("\"pid\":" + templatePid + "\\b", -1).length - 1, "and only there: " + api);

            long victim = workers.iterator().next();
            Procs.signal(victim, "KILL");
            Set<Long> after = jfpm.awaitWorkers(POOL, 3, "JFPM_POOL", POOL, Duration.ofSeconds(10));
            assertFalse(after.contains(victim));
            jfpm.pollUntil(() -> jfpm.logContains("child \\d+ started \\(forked\\)[\\s\\S]*child " + victim + " exited")
                    || jfpm.log().stream().filter(l -> l.contains("started (forked)")).count() >= 4,
                    Duration.ofSeconds(10), "the replacement was forked");

            Set<Long> all = new HashSet<>(after);
            all.add(templatePid);
            Procs.signal(jfpm.pid(), "KILL");
            jfpm.pollUntil(() -> all.stream().noneMatch(Procs::alive), Duration.ofSeconds(5),
                    () -> "the template and the forked workers die with the master: " + all);
        }
    }

    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void aMultiThreadedTemplateFallsBackToExec() throws Exception {
        Path script = tmp.resolve("threaded.py");
        Files.writeString(script, String.join("\n",
                "import os, runpy, threading, time",
                "threading.Thread(target=lambda: time.sleep(3600), daemon=True).start()",
                "runpy.run_path(" + PoolSpec.value(Workers.resource("/workers/http_worker.py").toString()) + ", run_name='__main__')",
                ""));
        try (Jfpm jfpm = Jfpm.in(tmp)
                .pool(PoolSpec.named(POOL, List.of(Workers.PYTHON, "-S", "-B", script.toString()), "preload")
                        .staticPm(2).set("spawn-mode", "auto"))
                .start()) {
            jfpm.awaitLog("template \\d+ cannot fork: it has 2 threads at its first accept\\(\\) \\(forking needs one\\);"
                    + " workers of generation 1 are exec'd", Duration.ofSeconds(20));
            jfpm.awaitWorkers(POOL, 2, "JFPM_POOL", POOL, Duration.ofSeconds(20));
            assertFalse(jfpm.logContains("started \\(forked\\)"), jfpm.dump());
            assertEquals(200, Http.get(jfpm.pool(POOL).address(), "/", Duration.ofSeconds(5)).status());
        }
    }

    @Test
    @Timeout(value = 90, unit = TimeUnit.SECONDS)
    void aDeadTemplateIsReplacedAndAReloadBringsANewOne() throws Exception {
        Path script = script();
        PoolSpec pool = PoolSpec.named(POOL, Workers.phpCgi(), "preload").staticPm(2).set("spawn-mode", "fork");
        try (Jfpm jfpm = Jfpm.in(tmp).pool(pool).start()) {
            long first = Long.parseLong(jfpm.awaitLog("\\[pool warm\\] template (\\d+) ready", Duration.ofSeconds(20)).group(1));
            jfpm.awaitIdle(POOL, 2, Duration.ofSeconds(20));
            int mark = jfpm.logMark();
            Procs.signal(first, "KILL");
            jfpm.awaitLogSince(mark, "template " + first + " exited on signal 9 \\(SIGKILL\\); spawning with exec until a new one is ready",
                    Duration.ofSeconds(10));
            long second = Long.parseLong(jfpm.awaitLogSince(mark, "template (\\d+) ready", Duration.ofSeconds(10)).group(1));
            assertTrue(second != first && Procs.alive(second), "a new template");
            assertEquals(2, jfpm.workerPids(POOL).size(), "the workers were untouched: " + jfpm.dump());
            ask(jfpm, script);

            mark = jfpm.logMark();
            jfpm.rewrite(b -> pool.set("env", Map.of("APP_ENV", "two")));
            jfpm.hup();
            long third = Long.parseLong(jfpm.awaitLogSince(mark, "template (\\d+) ready", Duration.ofSeconds(20)).group(1));
            jfpm.awaitLogSince(mark, "generation 1 drained", Duration.ofSeconds(20));
            jfpm.pollUntil(() -> !Procs.alive(second), Duration.ofSeconds(5), "the old template left with its generation");
            assertTrue(Procs.alive(third));
            assertEquals("two", Procs.environ(third).get("APP_ENV"), "the new template has the new environment");
            for (long pid : jfpm.awaitWorkers(POOL, 2, "JFPM_POOL", POOL, Duration.ofSeconds(20))) {
                assertEquals("two", Procs.environ(pid).get("APP_ENV"), "worker " + pid + " was forked from the new template");
            }
        }
    }

    @Test
    @Timeout(value = 120, unit = TimeUnit.SECONDS)
    void templatesComeAndGoWithTheirGenerationsWithoutLeaks() throws Exception {
        PoolSpec pool = PoolSpec.named(POOL, Workers.phpCgi(), "preload").staticPm(2).set("spawn-mode", "fork");
        try (Jfpm jfpm = Jfpm.in(tmp).pool(pool).start()) {
            jfpm.awaitLog("\\[pool warm\\] template (\\d+) ready", Duration.ofSeconds(20));
            jfpm.awaitIdle(POOL, 2, Duration.ofSeconds(20));
            int fdsBefore = Procs.fds(jfpm.pid()).size();
            Set<Long> templates = new HashSet<>();
            int reloads = 10;
            for (int i = 1; i <= reloads; i++) {
                int mark = jfpm.logMark();
                int n = i;
                jfpm.rewrite(b -> pool.set("env", Map.of("ROUND", Integer.toString(n))));
                jfpm.hup();
                templates.add(Long.parseLong(jfpm.awaitLogSince(mark, "template (\\d+) ready", Duration.ofSeconds(20)).group(1)));
                jfpm.awaitLogSince(mark, "generation " + i + " drained", Duration.ofSeconds(20));
            }
            jfpm.awaitWorkers(POOL, 2, "ROUND", Integer.toString(reloads), Duration.ofSeconds(20));
            jfpm.pollUntil(() -> templates.stream().filter(Procs::alive).count() == 1, Duration.ofSeconds(10),
                    () -> "only the last template lives: " + templates.stream().filter(Procs::alive).toList());
            jfpm.pollUntil(() -> Procs.zombieChildren(jfpm.pid()).isEmpty(), Duration.ofSeconds(10), "no zombie");
            int fdsAfter = Procs.fds(jfpm.pid()).size();
            System.out.printf("warm spawn: %d reloads, %d templates, master fds %d -> %d%n", reloads, templates.size(),
                    fdsBefore, fdsAfter);
            assertEquals(reloads, templates.size());
            assertTrue(fdsAfter <= fdsBefore + 4, "master fds " + fdsBefore + " -> " + fdsAfter);
        }
    }
}
