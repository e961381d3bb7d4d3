using System.CommandLine;
using SparseCore.Cli.Commands;

namespace SparseCore.Cli;

public static class Program
{
    public static int Main(string[] args)
    {
        var root = new RootCommand("SparseCore: structured pruning (PASS) found, trained and measured down to the kernel")
        {
            InfoCommand.Create(),
            TrainCommand.Create(args),
            EvalCommand.Create(),
            ExplainCommand.Create(),
            PruneCommand.Create(args),
            SweepCommand.Create(),
            ReportCommand.Create(),
            SelfTestCommand.Create(),
            GpuCheckCommand.Create(),
            BenchCommand.Create(),
        };
        try
        {
            var parsed = root.Parse(args);
            if (ParseErrors.Describe(parsed) is { } message)
            {
                Console.Error.WriteLine($"error: {message}");
                return 2;
            }
            return parsed.Invoke(new InvocationConfiguration { EnableDefaultExceptionHandler = false });
        }
        catch (Exception e) when (e is ArgumentException or IOException or InvalidOperationException or NotSupportedException
                                   or UnauthorizedAccessException or Models.Data.DataFormatException)
        {
            // A user's mistake (bad file, shape, name) reads as one line, not a stack trace.
            Console.Error.WriteLine($"error: {e.Message}");
            return 2;
        }
    }
}
