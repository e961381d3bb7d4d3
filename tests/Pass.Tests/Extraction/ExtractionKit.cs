using RandomDistribution = SparseCore.Kernels.Random.RandomDistribution;
using SparseCore.Kernels.Cpu;
using SparseCore.Models.Modules;
using SparseCore.Pass.Graph;
using SparseCore.Tensors;

namespace SparseCore.Pass.Tests.Extraction;

/// <summary>
/// The masked reference network (each prunable layer's output multiplied by its 0/1 mask after its
/// batch-norm, or after the conv without one, through forward hooks), random masks and random
/// batch-norm state, and the normwise comparison of two forwards.
/// </summary>
internal static class ExtractionKit
{
    public static readonly CpuBackend Cpu = new();

    /// <summary>Hooks the masks into <paramref name="model"/>; disposing removes them.</summary>
    public static IDisposable Mask(Module model, ChannelGraph graph, IReadOnlyList<float[]> masks)
    {
        var modules = model.NamedModules().ToDictionary(m => m.Name, m => m.Module);
        var handles = new List<IDisposable>();
        var tensors = masks.Select(m => Tensor.FromArray(Cpu, m, new Shape(m.Length))).ToList();
        foreach (var layer in graph.Layers.Where(l => l.Mask is not null))
        {
            var mask = tensors[layer.Mask!.Value];
            handles.Add(modules[layer.Norm ?? layer.Name].AddForwardHook((_, y) => F.Mul(y, mask, axis: 1)));
        }
        return new Handles(handles, tensors);
    }

    private sealed class Handles(List<IDisposable> hooks, List<Tensor> tensors) : IDisposable
    {
        public void Dispose()
        {
            foreach (var h in hooks) h.Dispose();
            foreach (var t in tensors) t.Dispose();
        }
    }

    /// <summary>
    /// One random mask per distinct mask, keeping about half the channels and at least one. With
    /// <paramref name="shared"/> every residual group gets one mask, and a group behind a
    /// zero-padding shortcut keeps the channels the previous group carries into it.
    /// </summary>
    public static float[][] RandomMasks(ChannelGraph graph, int seed, bool shared)
    {
        var random = new Random(seed);
        var masks = graph.Masks.Select(m =>
        {
            var mask = new float[m.Channels];
            for (int c = 0; c < mask.Length; c++) mask[c] = random.NextDouble() < 0.5 ? 1f : 0f;
            mask[random.Next(mask.Length)] = 1f;
            return mask;
        }).ToArray();
        if (!shared) return masks;
        foreach (var group in graph.Groups)
        {
            var first = masks[group.Masks[0]];
            if (group.PaddedFrom is int from)
            {
                var carried = masks[graph.Groups[from].Masks[0]];
                for (int c = 0; c < carried.Length; c++) first[c] = Math.Max(first[c], carried[c]);
            }
            foreach (int other in group.Masks.Skip(1)) masks[other] = (float[])first.Clone();
        }
        return masks;
    }

    /// <summary>Non-trivial batch-norm state (γ, β, running mean and variance), so a masked channel's β and statistics matter.</summary>
    public static void RandomizeNorms(Module model, int seed)
    {
        var random = new Random(seed);
        float Draw(float lo, float hi) => lo + (float)random.NextDouble() * (hi - lo);
        foreach (var (_, module) in model.NamedModules())
        {
            if (module is not BatchNorm2d bn) continue;
            int n = bn.Channels;
            Upload(bn.Weight.Value, Enumerable.Range(0, n).Select(_ => Draw(0.5f, 1.5f)));
            Upload(bn.Bias.Value, Enumerable.Range(0, n).Select(_ => Draw(-0.5f, 0.5f)));
            Upload(bn.RunningMean, Enumerable.Range(0, n).Select(_ => Draw(-0.3f, 0.3f)));
            Upload(bn.RunningVar, Enumerable.Range(0, n).Select(_ => Draw(0.5f, 2f)));
        }
    }

    private static void Upload(Tensor t, IEnumerable<float> values) => t.Backend.Upload<float>(values.ToArray(), t.Buffer);

    public static Tensor Images(int channels, int side, int seed) =>
        Tensor.Random(Cpu, new Shape(2, channels, side, side), RandomDistribution.Uniform, 0f, 1f, (ulong)seed, 0);

    public static float[] Run(Module model, Tensor x)
    {
        using var _ = Autograd.NoGrad();
        using var y = model.Forward(x);
        return y.ToArray();
    }

    /// <summary>‖a − b‖ / ‖a‖ in double.</summary>
    public static double RelativeError(float[] expected, float[] actual)
    {
        Assert.Equal(expected.Length, actual.Length);
        double diff = 0, norm = 0;
        for (int i = 0; i < expected.Length; i++)
        {
            diff += Math.Pow(expected[i] - (double)actual[i], 2);
            norm += Math.Pow(expected[i], 2);
        }
        return Math.Sqrt(diff / norm);
    }
}
