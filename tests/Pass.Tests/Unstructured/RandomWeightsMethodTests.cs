using SparseCore.Pass.Unstructured;

namespace SparseCore.Pass.Tests.Unstructured;

/// <summary>`random-weights` cuts exactly the budget, as a function of the seed alone.</summary>
public sealed class RandomWeightsMethodTests
{
    private static IReadOnlyDictionary<string, float[]> Masks(ulong seed, double sparsity = 0.9)
    {
        using var net = UnstructuredKit.ResNet20();
        var options = UnstructuredKit.Options("random-weights", sparsity, seed);
        using var data = UnstructuredKit.Data(options);
        return UnstructuredKit.Select("random-weights", net, options, data).Masks;
    }

    [Fact]
    public void Removes_exactly_the_budget_and_about_as_much_of_every_layer()
    {
        var masks = Masks(seed: 3, sparsity: 0.7);
        long total = masks.Values.Sum(m => (long)m.Length);
        Assert.Equal(GlobalSelection.RemovedCount(0.7, total), UnstructuredKit.Removed(masks.Values));
        // Uniform over weights: a layer of 16·16·9 = 2,304 weights keeps 30 % ± a few points.
        Assert.InRange(masks["layer1.0.conv1.weight"].Average(), 0.26, 0.34);
    }

    [Fact]
    public void The_same_seed_gives_the_same_masks_and_another_seed_others()
    {
        var first = Masks(seed: 3);
        Assert.Equal(Joined(first), Joined(Masks(seed: 3)));
        var other = Masks(seed: 4);
        Assert.Equal(UnstructuredKit.Removed(first.Values), UnstructuredKit.Removed(other.Values));
        Assert.NotEqual(Joined(first), Joined(other));
    }

    private static float[] Joined(IReadOnlyDictionary<string, float[]> masks) =>
        masks.OrderBy(m => m.Key, StringComparer.Ordinal).SelectMany(m => m.Value).ToArray();
}
