using System.CommandLine;
using SparseCore.Bench;

namespace SparseCore.Cli.Commands;

/// <summary>
/// `sparsecore bench`: the BenchmarkDotNet suites in this process (no SDK needed), or with
/// `network` first the whole-network benchmark against PyTorch and ONNX Runtime (bench/Network).
/// </summary>
internal static class BenchCommand
{
    public static Command Create()
    {
        var rest = new Argument<string[]>("benchmarkdotnet-args")
        {
            Description = "BenchmarkDotNet arguments, e.g. --filter '*Gemm*' (default: every suite); or `network [--blocks N] [--models …] [--batches …] [--quick] [--out FILE.csv]`",
            Arity = ArgumentArity.ZeroOrMore,
        };
        var cmd = new Command("bench", "run the BenchmarkDotNet suites in-process, or `bench network` (whole networks against PyTorch and ONNX Runtime)") { rest };
        cmd.TreatUnmatchedTokensAsErrors = false;
        cmd.SetAction(r =>
        {
            var args = (r.GetValue(rest) ?? []).Concat(r.UnmatchedTokens).ToArray();
            return BenchEntry.Run(args.Length == 0 ? ["--filter", "*"] : args);
        });
        return cmd;
    }
}
