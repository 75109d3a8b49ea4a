import QuickstepCommands

Allocator.preferJemalloc()
QuickstepCommand.main()
