using SparseCore.Kernels.Cpu;
using SparseCore.Models.Modules;
using SparseCore.Models.Zoo;
using SparseCore.Pass.Graph;

namespace SparseCore.Pass.Tests.Baselines;

/// <summary>
/// Small backbones for the baseline tests — ResNet-20 with conv shortcuts (downsample convs share
/// their block's mask), VGG-16 with and without BN at 224 px (a 7×7 flatten: 49 features per channel)
/// made narrow with odd widths — and weights set by hand.
/// </summary>
internal static class BaselineKit
{
    public static readonly CpuBackend Cpu = new();

    public const int Side = 12;

    public static ResNet ResNet20(ulong seed = 3) =>
        new(new ModuleInit(Cpu, seed), ResNetSpec.Cifar(20, ResNetShortcut.Conv), InputSpec.For(3, Side, Side), 10);

    /// <summary>VGG-16 at 224 px with 3 to 7 channels per conv and a 5- then 7-wide classifier.</summary>
    public static Module NarrowVgg(bool batchNorm, ulong seed = 4)
    {
        using var shape = ModelZoo.Create(batchNorm ? "vgg16_bn" : "vgg16", ModuleInit.Undrawn(Cpu), 3, 32, 32, 10);
        int i = 0;
        var widths = new LayerWidths(LayerWidths.Of(shape).Entries
            .Where(e => e.Key.StartsWith("features.", StringComparison.Ordinal))
            .Select(e => KeyValuePair.Create(e.Key, 3 + 2 * (i++ % 3)))
            .Append(KeyValuePair.Create("classifier.0", 5))
            .Append(KeyValuePair.Create("classifier.3", 7)));
        return ModelZoo.Create(batchNorm ? "vgg16_bn" : "vgg16", new ModuleInit(Cpu, seed), 3, 224, 224, 10, widths);
    }

    public static Dictionary<string, Module> Modules(Module model) => model.NamedModules().ToDictionary(m => m.Name, m => m.Module);

    public static void Set(Parameter p, float[] values) => p.Value.Backend.Upload<float>(values, p.Value.Buffer);

    public static void Set(Parameter p, Func<int, float> value) => Set(p, Enumerable.Range(0, p.Value.Size).Select(value).ToArray());

    public static float[] Random(int n, int seed, float lo, float hi)
    {
        var rng = new System.Random(seed);
        return Enumerable.Range(0, n).Select(_ => lo + (float)rng.NextDouble() * (hi - lo)).ToArray();
    }

    /// <summary>The scores of mask <paramref name="mask"/> out of the concatenation.</summary>
    public static float[] Slice(ChannelGraph graph, float[] scores, int mask) =>
        scores.Skip(graph.Masks.Take(mask).Sum(m => m.Channels)).Take(graph.Masks[mask].Channels).ToArray();
}
