using SparseCore.Models.Modules;

namespace SparseCore.Pass.Tests.Unstructured;

/// <summary>`omp` is one global cut on |w| over every linear weight, biases aside.</summary>
public sealed class OmpMethodTests
{
    [Fact]
    public void Removes_the_globally_smallest_magnitudes_with_the_tie_at_the_cut_by_index()
    {
        // |w| in global order: 0.5 0.1 0.3 0.9 0.05 0.7 | 0.2 0.8 0.01 0.4 0.6 0.3. Removing ⌊(5/12)·12⌋ = 5
        // takes 0.01, 0.05, 0.1, 0.2 and, of the two 0.3s, the earlier (first layer's [1, 0]).
        // The biases are tiny but are not prunable weights.
        using var net = UnstructuredKit.Flat(
            UnstructuredKit.Linear(2, 3, [0.5f, -0.1f, 0.3f, -0.9f, 0.05f, 0.7f], bias: [1e-6f, 0f, -1e-6f]),
            new ReLU(),
            UnstructuredKit.Linear(3, 2, [-0.2f, 0.8f, 0.01f, 0.4f, -0.6f, 0.3f], bias: [0f, 1e-6f]));
        var options = UnstructuredKit.Options("omp", 5.0 / 12);
        using var data = UnstructuredKit.Data(options, channels: 2, side: 1);
        var masks = UnstructuredKit.Select("omp", net, options, data).Masks;

        Assert.Equal(new[] { "1.weight", "3.weight" }, masks.Keys.Order());
        Assert.Equal(new[] { 1f, 0f, 0f, 1f, 0f, 1f }, masks["1.weight"]);
        Assert.Equal(new[] { 0f, 1f, 0f, 1f, 1f, 1f }, masks["3.weight"]);
    }
}
