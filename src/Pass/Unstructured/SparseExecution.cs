using System.Diagnostics;
using SparseCore.Kernels.Sparse;
using SparseCore.Models.Flops;
using SparseCore.Models.Modules;
using SparseCore.Tensors;

namespace SparseCore.Pass.Unstructured;

/// <summary>Which kernel runs a pruned layer: the dense one everywhere, the sparse one everywhere, or per layer whichever measured faster.</summary>
public enum SparseChoice
{
    Measured,
    Always,
}

/// <summary>One layer's plan: its density, its dense and sparse forward times at the planned batch (NaN when not measured) and the kernel it runs.</summary>
public sealed record SparseLayer(string Name, string Shape, double Density, double DenseMs, double SparseMs, bool Sparse);

/// <summary>
/// Runs a weight-pruned network's conv and linear layers on sparse-weight kernels
/// (<see cref="F.SparseConv2d"/>, <see cref="F.SparseLinear"/>) where they pay: each layer's
/// nonzeros are compressed once, and with <see cref="SparseChoice.Measured"/> the layer's dense and
/// sparse forwards are timed on a random input of its own shape at the planned batch (median of a
/// few, after a warm-up) and the faster one is kept. For inference only (no tape). Disposing it puts
/// every layer back on its dense kernel.
/// </summary>
public sealed class SparseExecution : IDisposable
{
    private readonly List<(IMaskableWeight Layer, SparseWeight Weight)> replaced = [];

    private SparseExecution(IReadOnlyList<SparseLayer> layers) => Layers = layers;

    public IReadOnlyList<SparseLayer> Layers { get; }

    /// <param name="input">The network's input at the batch it will run [N, C, H, W].</param>
    public static SparseExecution Plan(Module model, Shape input, SparseChoice choice, int repetitions = 5)
    {
        ArgumentNullException.ThrowIfNull(model);
        model.Eval();
        using var _ = Autograd.NoGrad();
        var inputs = ModelCost.Measure(model, new Shape(1, input[1], input[2], input[3])).Rows
            .GroupBy(r => r.Name).ToDictionary(g => g.Key, g => g.First().Input);
        var layers = new List<SparseLayer>();
        var plan = new SparseExecution(layers);
        try
        {
            foreach (var w in PrunableWeights.Of(model))
            {
                string name = w.Name[..^".weight".Length];
                var layerInput = inputs.TryGetValue(name, out var shape) ? WithBatch(shape, input[0])
                    : throw new InvalidOperationException($"sparse execution: no input shape traced for layer {name}");
                var sparse = F.ToSparseWeight(w.Parameter.Value);
                var forward = SparseForward(w.Layer, sparse);
                double denseMs = double.NaN, sparseMs = double.NaN;
                bool useSparse = choice == SparseChoice.Always;
                if (choice == SparseChoice.Measured)
                {
                    using var x = Tensor.FromArray(w.Parameter.Value.Backend, RandomInput(layerInput.Size), layerInput).Persist();
                    denseMs = MedianMs(() => ((Module)w.Layer).Forward(x), repetitions);
                    sparseMs = MedianMs(() => forward(x), repetitions);
                    useSparse = sparseMs < denseMs;
                }
                layers.Add(new SparseLayer(name, sparse.Shape, sparse.Density, denseMs, sparseMs, useSparse));
                if (!useSparse)
                {
                    sparse.Dispose();
                    continue;
                }
                w.Layer.ForwardReplacement = forward;
                plan.replaced.Add((w.Layer, sparse));
            }
            return plan;
        }
        catch
        {
            plan.Dispose();
            throw;
        }
    }

    private static Func<Tensor, Tensor> SparseForward(IMaskableWeight layer, SparseWeight weight) => layer switch
    {
        Conv2d c => x => F.SparseConv2d(x, weight, c.Bias?.Value, c.Stride, c.Padding),
        Linear l => x => x.Rank == 2 ? F.SparseLinear(x, weight, l.Bias?.Value)
            : throw new TensorShapeException("sparse execution", $"a sparse linear layer takes [N, in], got {x.Shape}"),
        _ => throw new NotSupportedException($"sparse execution: no sparse kernel for {layer.GetType().Name}"),
    };

    private static Shape WithBatch(Shape shape, int batch)
    {
        var dims = shape.Dims.ToArray();
        dims[0] = batch;
        return new Shape(dims);
    }

    private static float[] RandomInput(int size)
    {
        var values = new float[size];
        var random = new Random(1);
        for (int i = 0; i < size; i++) values[i] = (float)random.NextDouble();
        return values;
    }

    /// <summary>The median of <paramref name="repetitions"/> timed runs after one warm-up, each read back so the device work is counted.</summary>
    private static double MedianMs(Func<Tensor> run, int repetitions)
    {
        using (var warm = run()) warm.ToArray();
        var times = new double[repetitions];
        for (int i = 0; i < repetitions; i++)
        {
            long start = Stopwatch.GetTimestamp();
            using var y = run();
            y.Backend.Synchronize();
            times[i] = Stopwatch.GetElapsedTime(start).TotalMilliseconds;
        }
        Array.Sort(times);
        return times[repetitions / 2];
    }

    public void Dispose()
    {
        foreach (var (layer, weight) in replaced)
        {
            layer.ForwardReplacement = null;
            weight.Dispose();
        }
        replaced.Clear();
    }
}
