package org.jfpm.supervisor.status;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import org.jfpm.pool.PoolStatus;
import org.jfpm.pool.TemplateInfo;
import org.junit.jupiter.api.Test;

class PoolsApiTest {

    @Test
    void showsTheTemplateApartFromTheProcessesAndNullWithoutOne() {
        PoolStatus plain = Fixtures.pool("www").idle(101).running(102).build();
        PoolStatus forked = new PoolStatus(plain.identity(), plain.header(), plain.workers(), plain.nowUs(), true,
                new TemplateInfo(100, "ready", 3));
        Map<String, Object> api = MiniJson.object(PoolsApi.render(List.of(forked, plain)));
        List<?> pools = (List<?>) api.get("pools");
        Map<?, ?> first = (Map<?, ?>) pools.get(0);
        assertEquals(Map.of("pid", 100L, "state", "ready", "generation", 3L), first.get("template"));
        List<?> processes = (List<?>) first.get("processes");
        assertEquals(2, processes.size());
        assertTrue(processes.stream().noneMatch(p -> Long.valueOf(100).equals(((Map<?, ?>) p).get("pid"))));
        assertEquals(null, ((Map<?, ?>) pools.get(1)).get("template"));
        assertTrue(((Map<?, ?>) pools.get(1)).containsKey("template"));
    }
}
