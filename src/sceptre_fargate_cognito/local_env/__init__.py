"""The `local` environment: the emulator process, a throwaway CA, the stand-in ALB, the launch."""
