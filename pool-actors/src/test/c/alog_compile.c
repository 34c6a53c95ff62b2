/* Reads one access-format per line on stdin and prints "OK" or "ERR <reason>" per line (AccessFormatTest). */
#include <stdio.h>
#include <string.h>

#include "jfpm_alog.h"

static jfpm_alog_format fmt;

int main(void) {
    static char line[8192];
    while (fgets(line, sizeof line, stdin) != NULL) {
        size_t n = strlen(line);
        if (n > 0 && line[n - 1] == '\n') line[--n] = '\0';
        char err[256];
        if (jfpm_alog_compile(&fmt, line, err, sizeof err) == 0) {
            printf("OK\n");
        } else {
            printf("ERR %s\n", err);
        }
    }
    return 0;
}
