package org.jfpm.supervisor.status;

import java.util.List;
import org.jfpm.pool.PoolStatus;

/**
 * {@code /api/pools}: the dashboard's data, every pool with its processes, as one JSON object:
 * <pre>{@code
 * {"time":<epoch ms of the newest snapshot>,
 *  "pools":[{ <PHP-FPM's pool keys>, "max children":N, "terminated requests":N, "from master":true,
 *             "template":{"pid":N,"state":"starting|ready","generation":N}|null,
 *             "processes":[{ <PHP-FPM's process keys>, "rss":N|null, "activity":"idle|busy|starting|unknown" }] }]}
 * }</pre>
 * Keys and value types are those of PHP-FPM's {@code ?json&full} output, plus the additions shown.
 */
public final class PoolsApi {

    private PoolsApi() {
    }

    public static String render(List<PoolStatus> pools) {
        StringBuilder b = new StringBuilder(1024 + pools.size() * 2048);
        long time = pools.stream().mapToLong(PoolStatus::nowUs).max().orElse(System.currentTimeMillis() * 1000L) / 1000L;
        b.append("{\"time\":").append(time).append(",\"pools\":[");
        for (int i = 0; i < pools.size(); i++) {
            PoolStatus s = pools.get(i);
            PoolFields p = PoolFields.of(s);
            if (i > 0) {
                b.append(',');
            }
            b.append('{');
            JsonStatus.pool(b, p);
            b.append(",\"max children\":").append(p.maxChildren());
            b.append(",\"terminated requests\":").append(p.terminatedRequests());
            b.append(",\"accounting\":\"").append(p.accounting()).append('"');
            b.append(",\"from master\":").append(s.fromMaster());
            if (s.template() == null) {
                b.append(",\"template\":null");
            } else {
                b.append(",\"template\":{\"pid\":").append(s.template().pid())
                        .append(",\"state\":\"").append(s.template().state())
                        .append("\",\"generation\":").append(s.template().generation()).append('}');
            }
            b.append(",\"processes\":[");
            List<ProcessFields> processes = ProcessFields.of(s);
            for (int j = 0; j < processes.size(); j++) {
                ProcessFields w = processes.get(j);
                if (j > 0) {
                    b.append(',');
                }
                b.append('{');
                JsonStatus.process(b, w);
                b.append(",\"rss\":").append(w.rssBytes() < 0 ? "null" : Long.toString(w.rssBytes()));
                b.append(",\"activity\":\"").append(w.dashboardState()).append("\"}");
            }
            b.append("]}");
        }
        return b.append("]}").toString();
    }
}
