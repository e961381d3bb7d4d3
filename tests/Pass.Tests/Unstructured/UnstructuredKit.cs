using SparseCore.Kernels.Cpu;
using SparseCore.Models.Data;
using SparseCore.Models.Modules;
using SparseCore.Models.Zoo;
using SparseCore.Pass.Graph;
using SparseCore.Pass.Masks;
using SparseCore.Pass.Methods;
using SparseCore.Pass.Pipeline;
using SparseCore.Tensors;

namespace SparseCore.Pass.Tests.Unstructured;

/// <summary>
/// Networks with hand-set weights for the unstructured methods' tests, a small ResNet-20, and a
/// <see cref="MethodContext"/> around either, so each method runs through its registered name.
/// </summary>
internal static class UnstructuredKit
{
    public static readonly CpuBackend Cpu = new();

    /// <summary>The zoo's ResNet-20 (zero-padding shortcuts) for 8×8 RGB images.</summary>
    public static Module ResNet20(ulong seed = 5) => ModelZoo.Create("resnet20", new ModuleInit(Cpu, seed), 3, Side, Side, 10);

    public const int Side = 8;

    /// <summary>A Linear with weight [outputs, inputs] set to <paramref name="weight"/> (row-major) and, if given, its bias.</summary>
    public static Linear Linear(int inputs, int outputs, float[] weight, float[]? bias = null) =>
        new(Tensor.FromArray(Cpu, weight, new Shape(outputs, inputs)), bias is null ? null : Tensor.FromArray(Cpu, bias, new Shape(outputs)));

    /// <summary>Flatten, then the layers: a network for [N, C, H, W] images whose C·H·W is the first layer's input.</summary>
    public static Sequential Flat(params Module[] layers) => new(layers.Prepend(new Flatten()).ToArray());

    /// <summary>
    /// Gives every batch-norm's β and running mean values of both signs (a fresh one has zeros), so
    /// that a method which forgot to put back what it changed (SynFlow's |θ|) fails the comparison.
    /// </summary>
    public static void SignedBatchNorms(Module model)
    {
        foreach (var bn in model.NamedModules().Select(m => m.Module).OfType<BatchNorm2d>())
        {
            var signed = Enumerable.Range(0, bn.Channels).Select(c => 0.1f * (c % 3 - 1)).ToArray();
            Cpu.Upload<float>(signed, bn.Bias.Value.Buffer);
            Cpu.Upload<float>(signed, bn.RunningMean.Buffer);
        }
    }

    /// <summary>Every parameter and buffer by name, as host copies.</summary>
    public static Dictionary<string, float[]> State(Module model) =>
        model.NamedParameters().Select(p => (p.Name, p.Parameter.Value))
            .Concat(model.NamedBuffers().Select(b => (b.Name, b.Buffer)))
            .ToDictionary(e => e.Item1, e => e.Item2.ToArray());

    /// <summary>Asserts the network is as <paramref name="before"/> recorded it, in evaluation mode and without gradients.</summary>
    public static void AssertUnchanged(Dictionary<string, float[]> before, Module model)
    {
        var after = State(model);
        Assert.Equal(before.Keys, after.Keys);
        foreach (var (name, values) in before) Assert.True(values.SequenceEqual(after[name]), $"{name} changed");
        Assert.All(model.NamedModules().Select(m => m.Module).Prepend(model), m => Assert.False(m.Training));
        Assert.All(model.Parameters(), p => Assert.Null(p.Grad));
    }

    public static PruneOptions Options(string method, double sparsity, ulong seed = 1, int batchSize = 8) => new()
    {
        Method = method, Model = "resnet20", Data = "synthetic", Budget = new PruneBudget(BudgetKind.Sparsity, sparsity), Seed = seed,
        BatchSize = batchSize, Validation = 4,
    };

    /// <summary>Synthetic images for a network with <paramref name="channels"/>×<paramref name="side"/>×<paramref name="side"/> inputs.</summary>
    public static PruneData Data(PruneOptions options, int images = 100, int channels = 3, int side = Side) =>
        new(options, SyntheticDataset.Create(images, channels, side, side, 10, seed: 7), SyntheticDataset.Create(8, channels, side, side, 10, seed: 8));

    // Weight methods read neither the channel graph nor the channel budget, which the context
    // requires of every method; these come from a ResNet-20 kept for the test run.
    private static readonly ChannelGraph PlaceholderGraph = ChannelGraph.Of(ResNet20());

    public static MethodContext Context(Module dense, PruneOptions options, PruneData data)
    {
        dense.Eval();
        return new MethodContext
        {
            Options = options, Data = data, Dense = dense, Graph = PlaceholderGraph, Budget = new ChannelBudget(PlaceholderGraph, 0.5),
            MacsOf = _ => 0, Backend = Cpu, RunFolder = Path.GetTempPath(), Log = _ => { }, Progress = () => null,
        };
    }

    /// <summary>Runs the method registered as <paramref name="method"/> and returns its weight masks.</summary>
    public static WeightSelection Select(string method, Module dense, PruneOptions options, PruneData data) =>
        Assert.IsType<WeightSelection>(PruningMethods.Create(method).Select(Context(dense, options with { Method = method }, data)));

    public static long Removed(IEnumerable<float[]> masks) => masks.Sum(m => (long)m.Count(v => v == 0f));
}
