using SparseCore.Models.Modules;
using SparseCore.Models.Zoo;
using SparseCore.Pass.Unstructured;

namespace SparseCore.Pass.Tests.Unstructured;

/// <summary>Unstructured pruning scores every conv and linear weight of a backbone, and nothing else.</summary>
public sealed class PrunableWeightsTests
{
    /// <summary>ResNet-20's weights by hand: the stem, two convs in each of 3×3 blocks, the shortcut convs if any, the classifier.</summary>
    private static List<string> ResNet20Weights(bool convShortcuts)
    {
        var names = new List<string> { "conv1.weight" };
        for (int stage = 1; stage <= 3; stage++)
            for (int block = 0; block < 3; block++)
            {
                names.Add($"layer{stage}.{block}.conv1.weight");
                names.Add($"layer{stage}.{block}.conv2.weight");
                if (convShortcuts && stage > 1 && block == 0) names.Add($"layer{stage}.{block}.downsample.0.weight");
            }
        names.Add("fc.weight");
        return names;
    }

    [Fact]
    public void The_zoo_ResNet20_lists_its_19_convs_and_the_classifier_in_parameter_order()
    {
        using var net = UnstructuredKit.ResNet20();
        var weights = PrunableWeights.Of(net);

        Assert.Equal(ResNet20Weights(convShortcuts: false), weights.Select(w => w.Name));
        var parameters = net.NamedParameters().ToDictionary(p => p.Name, p => p.Parameter);
        Assert.All(weights, w => Assert.Same(parameters[w.Name], w.Parameter));
        // conv1 3→16 of 3×3, a layer1 conv 16→16, a layer3 conv 64→64, fc 64→10.
        Assert.Equal(16 * 3 * 9, weights[0].Size);
        Assert.Equal(3 * 9, weights[0].FanIn);
        Assert.Equal(16 * 16 * 9, weights[1].Size);
        Assert.Equal(64 * 64 * 9, weights[^2].Size);
        Assert.Equal(64 * 10, weights[^1].Size);
        Assert.Equal(64, weights[^1].FanIn);
        Assert.DoesNotContain(weights, w => w.Name.Contains("bn", StringComparison.Ordinal) || w.Name.EndsWith(".bias", StringComparison.Ordinal));
    }

    [Fact]
    public void Shortcut_convs_are_pruned_too()
    {
        using var net = new ResNet(new ModuleInit(UnstructuredKit.Cpu, 2), ResNetSpec.Cifar(20, ResNetShortcut.Conv), InputSpec.For(3, 8, 8), 10);
        Assert.Equal(ResNet20Weights(convShortcuts: true), PrunableWeights.Of(net).Select(w => w.Name));
    }

    [Fact]
    public void A_network_without_conv_or_linear_is_refused()
    {
        using var net = new Sequential(new Flatten(), new ReLU());
        Assert.Throws<ArgumentException>(() => PrunableWeights.Of(net));
    }
}
