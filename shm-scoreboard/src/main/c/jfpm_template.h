/*
 * The template's control protocol (spawn-mode = fork), shared by the preload library and, as
 * constants, by org.jfpm.os.TemplateControl. One SOCK_SEQPACKET socketpair per template: the
 * master keeps one end, the template gets the other as the fd named by JFPM_TEMPLATE_FD.
 * Every message is four native-endian uint64 words (32 bytes).
 *
 *   template -> master  READY  {1, status, threads, tid_offset}   once, at the first accept() on fd 0
 *   master -> template  FORK   {2, slot, generation, fds}         fds = 0..2 SCM_RIGHTS fds (stdout, stderr)
 *   template -> master  FORKED {3, pid or -errno, slot, 0}
 *
 * The master closes its end to retire the template, which then exits 0.
 */
#ifndef JFPM_TEMPLATE_H
#define JFPM_TEMPLATE_H

#include <stdint.h>

#define JFPM_TPL_MSG_READY 1u
#define JFPM_TPL_MSG_FORK 2u
#define JFPM_TPL_MSG_FORKED 3u

#define JFPM_TPL_OK 0u
#define JFPM_TPL_MULTI_THREADED 1u
#define JFPM_TPL_NO_TID 2u

typedef struct {
    uint64_t kind;
    uint64_t a;
    uint64_t b;
    uint64_t c;
} jfpm_tpl_msg;

/*
 * At load: when JFPM_TEMPLATE_FD names a socket, this process is a template; remembers the fd and
 * the master (getppid()), drops the variable. Returns 1 for a template, 0 otherwise.
 */
int jfpm_template_init(void);

/* Whether this process is (still) a template. */
int jfpm_template_active(void);

/*
 * Called from the accept hook in a template instead of accept(). Serves fork requests until one
 * of: (a) in a new child: returns 1 with its slot and generation (stdout/stderr replaced, death
 * signal set, parent checked, name restored, template state dropped); (b) a signal interrupted the
 * wait: returns -1 with errno EINTR, and the hook returns that to the program, which may stop (it
 * comes back here on its next accept()). The template process exits when the master goes away.
 */
int jfpm_template_serve(uint64_t *slot, uint64_t *generation);

#endif
