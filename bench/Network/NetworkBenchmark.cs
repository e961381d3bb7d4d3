#if !NO_ORT
using Microsoft.ML.OnnxRuntime;
#endif

namespace SparseCore.Bench.Network;

/// <summary>
/// `network`: the engine's whole networks against PyTorch (training and inference) and ONNX Runtime
/// (inference, on the engine's own weights) in one run, alternating in interleaved blocks
/// (<see cref="InterleavedBlocks"/>), every contender on <see cref="Environment.ProcessorCount"/>
/// threads. Prints the Markdown table on stdout, progress on stderr, and writes a CSV.
/// Run as `dotnet run -c Release --project bench -- network [options]` or `sparsecore bench network [options]`.
/// </summary>
public static class NetworkBenchmark
{
    public const string Command = "network";

    public static int Run(string[] args)
    {
        NetworkOptions options;
        try
        {
            options = NetworkOptions.Parse(args);
        }
        catch (ArgumentException e)
        {
            Console.Error.WriteLine($"{Command}: {e.Message}");
            Console.Error.WriteLine(NetworkOptions.Usage);
            return 2;
        }

        int threads = Environment.ProcessorCount;
        using var engine = new EngineRunner();
        var runners = new List<INetworkRunner> { engine };
        List<string> peers = [TorchRunner.Title];
        using var torch = TorchRunner.TryStart(options.Python, threads, out string why);
        if (torch is null)
        {
            Console.WriteLine($"PyTorch: not available ({why}); run bench/setup-peers.sh. Timing the engine and ONNX Runtime only.");
        }
        else
        {
            runners.Add(torch);
            Console.WriteLine($"PyTorch {torch.Version} ({options.Python}), {threads} threads");
        }
#if NO_ORT
        Console.WriteLine("ONNX Runtime: not in this build (the GPU publish leaves it out)");
#else
        using var ort = new OrtRunner(engine);
        runners.Add(ort);
        peers.Add(OrtRunner.Title);
        Console.WriteLine($"ONNX Runtime {OrtEnv.Instance().GetVersionString()}, {threads} intra-op threads");
#endif
        Console.WriteLine($"engine: CpuBackend, {threads} threads; input {NetworkCase.Channels}×{NetworkCase.Height}×{NetworkCase.Width}, {NetworkCase.Classes} classes; " +
                          $"{options.Blocks} interleaved blocks of {options.WarmSteps} warm + ~{options.BlockSeconds:0.#} s timed steps{(options.Quick ? " (--quick: plumbing only)" : "")}");

        var results = new List<CaseResult>();
        try
        {
            foreach (var c in options.Cases())
                results.Add(InterleavedBlocks.Measure(c, runners, options, Console.Error));
        }
        catch (InvalidOperationException e)
        {
            // A peer that died, or ORT computing another network than the engine's: nothing to compare.
            Console.Error.WriteLine($"{Command}: {e.Message}");
            return 1;
        }

        Console.WriteLine();
        Console.WriteLine($"samples/s: median of {options.Blocks} blocks; ratios: engine median / peer median (> 1: the engine is faster)");
        Console.WriteLine();
        NetworkTable.Write(Console.Out, results, peers);
        string csv = options.Out ?? NetworkCsv.DefaultPath();
        NetworkCsv.Write(csv, results, [EngineRunner.Title, .. peers]);
        Console.WriteLine();
        Console.WriteLine($"wrote {csv}");
        return 0;
    }
}
