"""Many runs side by side: races and comparisons (in-window sessions), sweeps (processes or a Ray cluster), their
dialogs and their result views."""
