package org.jfpm.supervisor.status;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class StatusQueryTest {

    @ParameterizedTest(name = "?{0} -> {1} full={2}")
    @CsvSource(nullValues = "NULL", value = {
        "NULL,               TEXT,        false",
        "'',                 TEXT,        false",
        "full,               TEXT,        true",
        "json,               JSON,        false",
        "json&full,          JSON,        true",
        "full&json,          JSON,        true",
        "full=1&json=yes,    JSON,        true",
        "xml,                XML,         false",
        "html&full,          HTML,        true",
        "openmetrics,        OPENMETRICS, false",
        "openmetrics&full,   OPENMETRICS, true",
        "json&xml,           XML,         false",
        "json&html&xml,      HTML,        false",
        "openmetrics&json,   JSON,        false",
        "jsonx,              TEXT,        false",
        "fu%6Cl&%6Ason,      JSON,        true",
        "%zz&full,           TEXT,        true",
        "&&full&&,           TEXT,        true"})
    void picksTheFormatByKeyPresenceWithPhpFpmsPrecedence(String query, StatusFormat format, boolean full) {
        assertEquals(new StatusQuery(format, full), StatusQuery.parse(query));
    }
}
