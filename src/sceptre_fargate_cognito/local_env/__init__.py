"""The `local` environment: the emulator process, a throwaway CA, the data plane, the task runner, the launch."""
