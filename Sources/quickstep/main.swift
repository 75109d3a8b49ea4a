import QuickstepCommands

QuickstepCommand.main()
