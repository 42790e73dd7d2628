#include "boot_options.h"
#include "lib/memory.h"

namespace {

int hex_value(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

// Decodes %XX in place; a lone "%" is the empty string.
void percent_decode(char* word)
{
    if (strcmp(word, "%") == 0) {
        word[0] = '\0';
        return;
    }
    char* out = word;
    for (char* in = word; *in; ++in) {
        if (in[0] == '%' && hex_value(in[1]) >= 0 && hex_value(in[2]) >= 0) {
            *out++ = static_cast<char>(hex_value(in[1]) * 16 + hex_value(in[2]));
            in += 2;
        } else {
            *out++ = *in;
        }
    }
    *out = '\0';
}

u64 parse_number(char const* text)
{
    u64 value = 0;
    while (*text >= '0' && *text <= '9')
        value = value * 10 + (*text++ - '0');
    return value;
}

}

void parse_boot_options(char* command_line, BootOptions& out)
{
    bool in_arguments = false;
    char* p = command_line;
    while (*p) {
        while (*p == ' ')
            ++p;
        if (!*p)
            break;
        char* word = p;
        while (*p && *p != ' ')
            ++p;
        if (*p)
            *p++ = '\0';

        if (in_arguments) {
            percent_decode(word);
            if (out.init_arg_count < BootOptions::MAX_ARGS)
                out.init_args[out.init_arg_count++] = word;
        } else if (strcmp(word, "--") == 0) {
            in_arguments = true;
        } else if (strncmp(word, "init=", 5) == 0) {
            percent_decode(word + 5);
            out.init_path = word + 5;
        } else if (strncmp(word, "args=", 5) == 0) {
            percent_decode(word + 5);
            out.args_file = word + 5;
        } else if (strncmp(word, "env=", 4) == 0) {
            percent_decode(word + 4);
            out.env_file = word + 4;
        } else if (strcmp(word, "log=console") == 0) {
            out.log_to_console = true;
        } else if (strcmp(word, "log=boot") == 0) {
            out.log_to_console_at_boot = true;
        } else if (strcmp(word, "fork=copy") == 0) {
            out.eager_copy_fork = true;
        } else if (strcmp(word, "selftest=fault") == 0) {
            out.fault_self_test = true;
        } else if (strcmp(word, "selftest=stack") == 0) {
            out.stack_self_test = true;
        } else if (strcmp(word, "selftest=verify") == 0) {
            out.verify_self_test = true;
        } else if (strcmp(word, "root=vda") == 0) {
            out.root_on_disk = true;
        } else if (strncmp(word, "flush_interval=", 15) == 0) {
            out.flush_interval_seconds = max<u64>(parse_number(word + 15), 1);
        } else if (strncmp(word, "dirty_age=", 10) == 0) {
            out.dirty_age_seconds = parse_number(word + 10);
        } else if (strcmp(word, "aslr=off") == 0) {
            out.randomize_addresses = false;
        } else if (strcmp(word, "profile") == 0) {
            out.profile = true;
        } else if (strcmp(word, "trace=vm") == 0) {
            out.trace_vm = true;
        } else if (strncmp(word, "trace_records=", 14) == 0) {
            out.trace_records = max<u64>(parse_number(word + 14), 1024);
        } else if (strcmp(word, "stats") == 0) {
            out.print_stats = true;
        }
    }
}
