// line_reader — the program the terminal tests type at (tests/terminal/run): reads the
// terminal a line at a time and answers each, so that the line discipline's work shows.
//   "got [TEXT]" for each line read (without its newline), "SIGINT" when ^C arrives,
//   "EOF" at end of file (^D on an empty line), then exits 0.
// Commands (a line that is one of these words): "raw" switches off ICANON and ECHO and then
// reports each byte as "byte N" until it reads 'q'; "modes" prints "echo 1/0 icanon 1/0".
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

static volatile sig_atomic_t interrupted;
static void on_sigint(int s)
{
    (void)s;
    interrupted = 1;
}

static void say(const char* text) { write(1, text, strlen(text)); }

int main(void)
{
    struct sigaction action = { 0 };
    action.sa_handler = on_sigint; // no SA_RESTART: read() returns EINTR
    sigaction(SIGINT, &action, NULL);
    char line[512], out[600];
    say("ready\n");
    for (;;) {
        ssize_t n = read(0, line, sizeof line - 1);
        if (n < 0 && errno == EINTR) {
            if (interrupted)
                say("SIGINT\n");
            interrupted = 0;
            continue;
        }
        if (n <= 0) {
            say("EOF\n");
            return 0;
        }
        if (line[n - 1] == '\n')
            --n;
        line[n] = 0;
        if (strcmp(line, "modes") == 0) {
            struct termios t;
            tcgetattr(0, &t);
            snprintf(out, sizeof out, "echo %d icanon %d\n", !!(t.c_lflag & ECHO), !!(t.c_lflag & ICANON));
            say(out);
            continue;
        }
        if (strcmp(line, "raw") == 0) {
            struct termios saved, raw;
            tcgetattr(0, &saved);
            raw = saved;
            raw.c_lflag &= ~(ICANON | ECHO);
            raw.c_cc[VMIN] = 1;
            raw.c_cc[VTIME] = 0;
            tcsetattr(0, TCSANOW, &raw);
            say("raw on\n");
            unsigned char c = 0;
            while (read(0, &c, 1) == 1 && c != 'q') {
                snprintf(out, sizeof out, "byte %d\n", c);
                say(out);
            }
            tcsetattr(0, TCSANOW, &saved);
            say("raw off\n");
            continue;
        }
        snprintf(out, sizeof out, "got [%s]\n", line);
        say(out);
    }
}
