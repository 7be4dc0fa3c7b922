from django.dispatch import Signal

# Sent by `seed_demo` for each demo workspace, with `workspace` and `seed` (an int).
# Apps above accounts add their demo data from a receiver, so accounts imports none of them.
demo_workspace_ready = Signal()
