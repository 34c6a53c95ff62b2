/*
 * Test probe for jfpm_scoreboard.h, driven by CHeaderAgreementTest.
 *   scoreboard_probe layout            prints every layout constant as NAME=value
 *   scoreboard_probe write FILE SLOT   attaches to SLOT of FILE and runs one request through the helpers
 *   scoreboard_probe hold FILE SLOT    begins a seqlock write of SLOT (requests = 99), prints "mid seq=N",
 *                                      waits for a line on stdin, ends the write and prints "end seq=N"
 */
#define _POSIX_C_SOURCE 200809L
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "jfpm_scoreboard.h"

#define HDR(NAME, field) printf("HEADER_" #NAME "_OFFSET=%zu\n", offsetof(jfpm_sb_header, field))
#define SLOT(NAME, field) printf("SLOT_" #NAME "_OFFSET=%zu\n", offsetof(jfpm_sb_slot, field))
#define SLOT_STR(NAME, field) \
    printf("SLOT_" #NAME "_OFFSET=%zu\nSLOT_" #NAME "_LENGTH=%zu\n", \
           offsetof(jfpm_sb_slot, field), sizeof(((jfpm_sb_slot *)0)->field))
#define CONST(NAME) printf(#NAME "=%lld\n", (long long)(NAME))

static void print_layout(void) {
    printf("MAGIC=0x%016" PRIX64 "\n", JFPM_SB_MAGIC);
    printf("VERSION=%" PRIu64 "\n", JFPM_SB_VERSION);
    printf("HEADER_SIZE=%zu\n", sizeof(jfpm_sb_header));
    printf("SLOT_SIZE=%zu\n", sizeof(jfpm_sb_slot));
    HDR(MAGIC, magic);
    HDR(VERSION, version);
    HDR(HEADER_SIZE, header_size);
    HDR(SLOT_SIZE, slot_size);
    HDR(SLOT_COUNT, slot_count);
    HDR(SLOTS_OFFSET, slots_offset);
    HDR(MASTER_PID, master_pid);
    HDR(START_TIME_US, start_time_us);
    HDR(HEARTBEAT_US, heartbeat_us);
    HDR(PM_MODE, pm_mode);
    HDR(ACCOUNTING, accounting);
    HDR(MAX_CHILDREN, max_children);
    HDR(ACCEPTED_CONN, accepted_conn);
    HDR(MAX_CHILDREN_REACHED, max_children_reached);
    HDR(SLOW_REQUESTS, slow_requests);
    HDR(TERMINATED_REQUESTS, terminated_requests);
    HDR(MAX_ACTIVE_PROCESSES, max_active_processes);
    HDR(LISTEN_QUEUE, listen_queue);
    HDR(MAX_LISTEN_QUEUE, max_listen_queue);
    HDR(LISTEN_QUEUE_LEN, listen_queue_len);
    HDR(GENERATION, generation);
    HDR(ACTIVE_REQUESTS, active_requests);
    HDR(POOL_NAME, pool_name);
    printf("HEADER_POOL_NAME_LENGTH=%zu\n", sizeof(((jfpm_sb_header *)0)->pool_name));
    SLOT(SEQ, seq);
    SLOT(IN_USE, in_use);
    SLOT(GENERATION, generation);
    SLOT(START_TIME_US, start_time_us);
    SLOT(PID, pid);
    SLOT(STAGE, stage);
    SLOT(ACCEPTED_US, accepted_us);
    SLOT(LAST_ACTIVITY_US, last_activity_us);
    SLOT(REQUESTS, requests);
    SLOT(DURATION_US, duration_us);
    SLOT(CONTENT_LENGTH, content_length);
    SLOT(CPU_US, cpu_us);
    SLOT(MEMORY, memory);
    SLOT(REQ_CPU_START_US, req_cpu_start_us);
    SLOT_STR(METHOD, method);
    SLOT_STR(URI, uri);
    SLOT_STR(QUERY, query);
    SLOT_STR(SCRIPT, script);
    SLOT_STR(USER, user);
    CONST(JFPM_SB_STAGE_STARTING);
    CONST(JFPM_SB_STAGE_ACCEPTING);
    CONST(JFPM_SB_STAGE_READING_HEADERS);
    CONST(JFPM_SB_STAGE_INFO);
    CONST(JFPM_SB_STAGE_FINISHED);
    CONST(JFPM_SB_STAGE_EXECUTING);
    CONST(JFPM_SB_STAGE_END);
    CONST(JFPM_SB_PM_STATIC);
    CONST(JFPM_SB_PM_DYNAMIC);
    CONST(JFPM_SB_PM_ONDEMAND);
    CONST(JFPM_SB_ACCOUNTING_NONE);
    CONST(JFPM_SB_ACCOUNTING_SDK);
    CONST(JFPM_SB_ACCOUNTING_PRELOAD);
}

/* One request with fixed times, so that the Java side can check every value. */
static int write_slot(const char *path, uint64_t index) {
    int fd = open(path, O_RDWR);
    if (fd < 0) { perror("open"); return 1; }
    struct stat st;
    if (fstat(fd, &st) != 0) { perror("fstat"); return 1; }
    void *base = mmap(NULL, (size_t)st.st_size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    if (base == MAP_FAILED) { perror("mmap"); return 1; }
    close(fd);
    int rc = jfpm_sb_validate(base, (uint64_t)st.st_size, index);
    if (rc != JFPM_SB_OK) { printf("validate=%d\n", rc); return 2; }

    static char uri[1201];
    for (int i = 0; i < 600; i++) memcpy(uri + 2 * i, "\xc3\xa9", 2); /* 600 x U+00E9, 1200 bytes */
    static char user[69];
    for (int i = 0; i < 17; i++) memcpy(user + 4 * i, "\xf0\x9f\x98\x80", 4); /* 17 x U+1F600, 68 bytes */

    jfpm_sb_slot *s = jfpm_sb_slot_at(base, index);
    jfpm_sb_attach(s, (uint64_t)getpid(), 100);
    jfpm_sb_accepting(base, s, 200, 0, 0);
    jfpm_sb_accepted(base, s, 1000, 50);
    jfpm_sb_request_info(s, 1100, "POST", uri, "a=1&b=\xc3\xbc", "/srv/www/index.php", 42, user);
    jfpm_sb_executing(s, 1200);
    jfpm_sb_finished(base, s, 3500, 80, 123456);
    printf("pid=%ld\n", (long)getpid());
    return 0;
}

static void *map_file(const char *path, uint64_t *size) {
    int fd = open(path, O_RDWR);
    if (fd < 0) { perror("open"); exit(1); }
    struct stat st;
    if (fstat(fd, &st) != 0) { perror("fstat"); exit(1); }
    void *base = mmap(NULL, (size_t)st.st_size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    if (base == MAP_FAILED) { perror("mmap"); exit(1); }
    close(fd);
    *size = (uint64_t)st.st_size;
    return base;
}

/* One raw seqlock write held open until stdin gives a line, so that a reader can look at the slot mid-write. */
static int hold_write(const char *path, uint64_t index) {
    uint64_t size;
    void *base = map_file(path, &size);
    int rc = jfpm_sb_validate(base, size, index);
    if (rc != JFPM_SB_OK) { printf("validate=%d\n", rc); return 2; }
    jfpm_sb_slot *s = jfpm_sb_slot_at(base, index);
    jfpm_sb_write_begin(s);
    jfpm_sb_store(&s->requests, 99);
    printf("mid seq=%" PRIu64 "\n", jfpm_sb_load(&s->seq));
    fflush(stdout);
    char line[16];
    if (fgets(line, sizeof line, stdin) == NULL) return 3;
    jfpm_sb_write_end(s);
    printf("end seq=%" PRIu64 "\n", jfpm_sb_load(&s->seq));
    return 0;
}

int main(int argc, char **argv) {
    if (argc == 4 && strcmp(argv[1], "hold") == 0) {
        return hold_write(argv[2], strtoull(argv[3], NULL, 10));
    }
    if (argc == 2 && strcmp(argv[1], "layout") == 0) {
        print_layout();
        return 0;
    }
    if (argc == 4 && strcmp(argv[1], "write") == 0) {
        return write_slot(argv[2], strtoull(argv[3], NULL, 10));
    }
    fprintf(stderr, "usage: %s layout | write FILE SLOT\n", argv[0]);
    return 64;
}
