/* A deployed XEP-0174 client for the interop tests: libpurple's own Bonjour
 * protocol plugin (the code Pidgin and Finch run), driven without a UI.
 *
 *   PurpleBonjour USER_DIR ACCOUNT COMMAND_FIFO
 *
 * It signs ACCOUNT (user@host) on over the host's avahi-daemon and prints one
 * line per event on stdout:  "signed-on", "buddy NAME", "recv NAME TEXT",
 * "sent NAME", "error TEXT". It reads commands from COMMAND_FIFO, one a line:
 * "send NAME TEXT" and "quit". libpurple's debug output goes to stderr. */

#include <purple.h>

#include <fcntl.h>
#include <stdio.h>
#include <string.h>

#define UI_ID "pigeon-interop"

static PurpleAccount* account;
static GMainLoop* loop;

static void Say(const char* format, ...) G_GNUC_PRINTF(1, 2);
static void Say(const char* format, ...)
{
    va_list args;
    va_start(args, format);
    vprintf(format, args);
    va_end(args);
    putchar('\n');
    fflush(stdout);
}

/* --- libpurple's event loop on GLib's ---------------------------------- */

struct Watch {
    PurpleInputFunction function;
    gpointer data;
};

static gboolean OnWatchReady(GIOChannel* channel, GIOCondition condition, gpointer user_data)
{
    struct Watch* watch = user_data;
    int purple_condition = 0;
    if (condition & (G_IO_IN | G_IO_HUP | G_IO_ERR))
        purple_condition |= PURPLE_INPUT_READ;
    if (condition & (G_IO_OUT | G_IO_HUP | G_IO_ERR | G_IO_NVAL))
        purple_condition |= PURPLE_INPUT_WRITE;
    watch->function(watch->data, g_io_channel_unix_get_fd(channel), purple_condition);
    return TRUE;
}

static guint AddInput(int fd, PurpleInputCondition condition, PurpleInputFunction function,
                      gpointer data)
{
    struct Watch* watch = g_new0(struct Watch, 1);
    watch->function = function;
    watch->data = data;
    GIOCondition wanted = 0;
    if (condition & PURPLE_INPUT_READ)
        wanted |= G_IO_IN | G_IO_HUP | G_IO_ERR;
    if (condition & PURPLE_INPUT_WRITE)
        wanted |= G_IO_OUT | G_IO_HUP | G_IO_ERR | G_IO_NVAL;
    GIOChannel* channel = g_io_channel_unix_new(fd);
    guint id = g_io_add_watch_full(channel, G_PRIORITY_DEFAULT, wanted, OnWatchReady, watch, g_free);
    g_io_channel_unref(channel);
    return id;
}

static PurpleEventLoopUiOps event_loop = {
    .timeout_add = g_timeout_add,
    .timeout_remove = g_source_remove,
    .input_add = AddInput,
    .input_remove = g_source_remove,
    .timeout_add_seconds = g_timeout_add_seconds,
};

/* libpurple's debug lines go to stderr, so that stdout holds only events. */
static void PrintDebug(PurpleDebugLevel level, const char* category, const char* text)
{
    (void)level;
    fprintf(stderr, "%s: %s", category ? category : "-", text);
}

static gboolean DebugEnabled(PurpleDebugLevel level, const char* category)
{
    (void)level;
    (void)category;
    return TRUE;
}

static PurpleDebugUiOps debug_output = {
    .print = PrintDebug,
    .is_enabled = DebugEnabled,
};

/* --- What happens ------------------------------------------------------- */

static void OnSignedOn(PurpleConnection* connection, gpointer unused)
{
    (void)connection;
    (void)unused;
    Say("signed-on");
}

static void OnBuddySignedOn(PurpleBuddy* buddy, gpointer unused)
{
    (void)unused;
    Say("buddy %s", purple_buddy_get_name(buddy));
}

static void OnReceivedIm(PurpleAccount* to, char* sender, char* message,
                         PurpleConversation* conversation, PurpleMessageFlags flags, gpointer unused)
{
    (void)to;
    (void)conversation;
    (void)flags;
    (void)unused;
    /* libpurple hands over markup: show the text a user would read. */
    char* text = purple_markup_strip_html(message);
    Say("recv %s %s", sender, text);
    g_free(text);
}

static void OnConnectionError(PurpleConnection* connection, PurpleConnectionError reason,
                              const char* description, gpointer unused)
{
    (void)connection;
    (void)reason;
    (void)unused;
    Say("error %s", description);
}

static void Send(const char* who, const char* text)
{
    PurpleConnection* connection = purple_account_get_connection(account);
    if (!connection || !purple_find_buddy(account, who)) {
        Say("error no buddy %s", who);
        return;
    }
    int result = serv_send_im(connection, who, text, 0);
    if (result > 0)
        Say("sent %s", who);
    else
        Say("error send %s %d", who, result);
}

static gboolean OnCommand(GIOChannel* channel, GIOCondition condition, gpointer unused)
{
    (void)condition;
    (void)unused;
    char* line = NULL;
    gsize terminator = 0;
    GIOStatus status = g_io_channel_read_line(channel, &line, NULL, &terminator, NULL);
    if (status != G_IO_STATUS_NORMAL)
        return status == G_IO_STATUS_AGAIN;
    line[terminator] = '\0';
    if (strcmp(line, "quit") == 0) {
        g_main_loop_quit(loop);
    } else if (strncmp(line, "send ", 5) == 0 && strchr(line + 5, ' ')) {
        char* who = line + 5;
        char* text = strchr(who, ' ');
        *text++ = '\0';
        Send(who, text);
    } else {
        Say("error unknown command %s", line);
    }
    g_free(line);
    return TRUE;
}

int main(int argc, char** argv)
{
    if (argc != 4) {
        fprintf(stderr, "usage: %s USER_DIR ACCOUNT COMMAND_FIFO\n", argv[0]);
        return 2;
    }
    /* Read-write, so the FIFO never reports end of file between writers. */
    int commands = open(argv[3], O_RDWR | O_NONBLOCK);
    if (commands < 0) {
        perror(argv[3]);
        return 1;
    }

    loop = g_main_loop_new(NULL, FALSE);
    purple_util_set_user_dir(argv[1]);
    purple_debug_set_ui_ops(&debug_output);
    purple_eventloop_set_ui_ops(&event_loop);
    if (!purple_core_init(UI_ID)) {
        fprintf(stderr, "libpurple failed to start\n");
        return 1;
    }
    purple_set_blist(purple_blist_new());
    if (!purple_find_prpl("prpl-bonjour")) {
        fprintf(stderr, "libpurple has no Bonjour protocol plugin\n");
        return 1;
    }

    static int handle;
    purple_signal_connect(purple_connections_get_handle(), "signed-on", &handle,
                          PURPLE_CALLBACK(OnSignedOn), NULL);
    purple_signal_connect(purple_connections_get_handle(), "connection-error", &handle,
                          PURPLE_CALLBACK(OnConnectionError), NULL);
    purple_signal_connect(purple_blist_get_handle(), "buddy-signed-on", &handle,
                          PURPLE_CALLBACK(OnBuddySignedOn), NULL);
    purple_signal_connect(purple_conversations_get_handle(), "received-im-msg", &handle,
                          PURPLE_CALLBACK(OnReceivedIm), NULL);

    account = purple_account_new(argv[2], "prpl-bonjour");
    purple_account_set_string(account, "first", "Newman");
    purple_accounts_add(account);
    purple_account_set_enabled(account, UI_ID, TRUE);
    purple_savedstatus_activate(purple_savedstatus_new(NULL, PURPLE_STATUS_AVAILABLE));

    GIOChannel* channel = g_io_channel_unix_new(commands);
    g_io_add_watch(channel, G_IO_IN, OnCommand, NULL);
    g_main_loop_run(loop);

    purple_account_set_enabled(account, UI_ID, FALSE);
    purple_core_quit();
    return 0;
}
