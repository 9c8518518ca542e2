# cs's tmux options, each name beside its default. Sourced (not run) by plugin.tmux and every
# script under tmux/. Users set them in ~/.tmux.conf, before the plugin loads:
#   set -g @cs-picker-key 'C'

# Keys (after the prefix) that open the picker popup; several keys space-separated; '' binds none.
picker_key_option="@cs-picker-key"
default_picker_key="C"

# Keys (after the prefix) that open the dashboard (`cs ls`) in a popup; '' binds none.
dashboard_key_option="@cs-dashboard-key"
default_dashboard_key="S"

# Popup size: a percentage or a number of cells.
popup_width_option="@cs-popup-width"
default_popup_width="85%"
popup_height_option="@cs-popup-height"
default_popup_height="75%"

# #{cs_status} in status-left/right: 'dots' (one symbol a session) or 'names' (symbol and name).
status_style_option="@cs-status-style"
default_status_style="dots"
status_symbol_option="@cs-status-symbol"
default_status_symbol="●"

# Colours of each state in #{cs_status} and #{cs_session_state}: tmux colour names or colourN
# (a hex colour in capitals would read as a format alias). Read when the plugin loads.
color_waiting_option="@cs-color-waiting"
default_color_waiting="yellow"
color_working_option="@cs-color-working"
default_color_working="green"
color_idle_option="@cs-color-idle"
default_color_idle="colour244"
color_dead_option="@cs-color-dead"
default_color_dead="red"

# on|off: when a session turns WAITING, show a message and ring the bell (tmux/hook.sh does it).
alert_option="@cs-alert"
default_alert="on"

# on|off: when a tmux session closes, run `cs sync` in the background.
sync_on_close_option="@cs-sync-on-close"
default_sync_on_close="on"

# While tmux/first_build.sh builds cs on the plugin's first load: a message for the front of
# status-right (plugin.tmux puts #{@cs-build-status} there; empty once built).
build_status_option="@cs-build-status"

# Published by plugin.tmux for hooks and other plugins (read them, do not set them).
cs_bin_option="@cs-bin"
picker_script_option="@cs-picker-script-path"
list_script_option="@cs-list-script-path"

# The picker's keys (fzf key names): not options, so the picker starts without asking tmux.
attach_key="enter"
launch_key="ctrl-n"
rename_key="ctrl-r"
kill_key="ctrl-x"
mode_key="ctrl-g"

# Picker columns (tmux picker and `cs resume`, both listed by list.sh), in terminal cells; the
# title takes the rest of the width fzf has.
project_width=16
host_width=12

# How `cs attach` opens a session of another host inside tmux: window (a new window named after
# host and session), popup, or replace (this pane). Read by cs itself (lib/remote.ts).
remote_attach_option="@cs-remote-attach"
default_remote_attach="window"
