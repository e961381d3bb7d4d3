using System.Diagnostics;
using SparseCore.Kernels.Diagnostics;
using SparseCore.Kernels.Random;
using SparseCore.Models.Modules;
using SparseCore.Tensors;

namespace SparseCore.Pass.Pipeline;

/// <summary>
/// Inference latency of a network on the device it lives on, measured the same way for the dense
/// and the extracted network so their ratio is the speed-up a user would see: evaluation mode, no
/// autograd tape, a fixed seeded input in [0, 1), warm-up forwards first (kernel compilation, buffer
/// pool, caches), then one stopwatch per forward that includes reading the output back to the host —
/// on an asynchronous device the forward is only finished once its result can be read.
/// </summary>
public static class LatencyProbe
{
    private const ulong InputSeed = 0x5EED_1A7E;

    /// <summary>The profile region of a timed forward.</summary>
    public const string Region = "latency forward";

    /// <summary>Runs <paramref name="warmup"/> untimed and <paramref name="repetitions"/> timed forwards
    /// of one <paramref name="input"/>-shaped batch; the model's train/eval mode is restored afterwards.</summary>
    /// <param name="profiler">When given, attached to the model's backend for the timed forwards only, each in the region "latency forward".</param>
    public static LatencyResult Measure(Module model, Shape input, int warmup = 3, int repetitions = 15, Profiler? profiler = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        if (warmup < 0) throw new ArgumentException($"latency warm-up must be ≥ 0 forwards, got {warmup}", nameof(warmup));
        if (repetitions < 1) throw new ArgumentException($"latency repetitions must be ≥ 1, got {repetitions}", nameof(repetitions));
        if (input.Rank < 2 || input.Size == 0) throw new ArgumentException($"latency input {input} is not a non-empty batch [N, ...]", nameof(input));
        var backend = model.Parameters().FirstOrDefault()?.Value.Backend
            ?? throw new ArgumentException("latency: the model has no parameters, so its device is unknown", nameof(model));

        var modes = TrainingModes(model);
        var previous = backend.Profiler;
        model.Eval();
        var times = new double[repetitions];
        try
        {
            using var noGrad = Autograd.NoGrad();
            using var x = Tensor.Random(backend, input, RandomDistribution.Uniform, 0f, 1f, InputSeed, stream: 0);
            for (int i = 0; i < warmup; i++) Forward(model, x);
            if (profiler is not null) backend.Profiler = profiler;
            for (int i = 0; i < repetitions; i++)
            {
                long start = Stopwatch.GetTimestamp();
                using (backend.Region(Region)) Forward(model, x);
                times[i] = Stopwatch.GetElapsedTime(start).TotalMilliseconds;
            }
        }
        finally
        {
            if (profiler is not null) backend.Profiler = previous;
            Restore(modes);
        }
        return LatencyResult.From(times, input[0], warmup);
    }

    /// <summary>The scope frees the forward's intermediates (and the output) before the next run.</summary>
    private static void Forward(Module model, Tensor x)
    {
        using var scope = new TensorScope();
        model.Forward(x).ToArray();
    }

    /// <summary>Each module's own mode: a model may mix them (a frozen backbone's batch-norm kept in eval).</summary>
    private static List<(Module Module, bool Training)> TrainingModes(Module model) =>
        [(model, model.Training), .. model.NamedModules().Select(m => (m.Module, m.Module.Training))];

    /// <summary>Train(bool) recurses into children, so setting parents before children (the order
    /// NamedModules gives) leaves every module with exactly its recorded mode.</summary>
    private static void Restore(List<(Module Module, bool Training)> modes)
    {
        foreach (var (module, training) in modes) module.Train(training);
    }
}
