using System.CommandLine;

namespace SparseCore.Cli;

/// <summary>
/// A command line that does not parse, as the one line the user reads (instead of System.CommandLine's
/// messages followed by the whole help text): an unknown command or option by name, a missing
/// command with the list of commands, and the options' own messages (see <see cref="NumberOptions"/>).
/// </summary>
internal static class ParseErrors
{
    /// <summary>The first problem with <paramref name="parsed"/>, or null when it parsed.</summary>
    public static string? Describe(ParseResult parsed)
    {
        if (parsed.Errors.Count == 0) return null;
        var command = parsed.CommandResult.Command;
        string help = command is RootCommand ? "sparsecore --help" : $"sparsecore {command.Name} --help";
        if (parsed.UnmatchedTokens.Count > 0)
        {
            string token = parsed.UnmatchedTokens[0];
            return command is RootCommand && !token.StartsWith('-')
                ? $"unknown command '{token}'; the commands are {Commands(command)} ({help})"
                : $"unknown option or argument '{token}' for {Name(command)} (see {help})";
        }
        if (command is RootCommand)
            return $"no command given; the commands are {Commands(command)} ({help})";
        return $"{parsed.Errors[0].Message} (see {help})";
    }

    private static string Commands(Command root) => string.Join(", ", root.Subcommands.Select(c => c.Name));

    private static string Name(Command command) => command is RootCommand ? "sparsecore" : $"'{command.Name}'";
}
