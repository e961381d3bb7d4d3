using SparseCore.Kernels.Cpu;
using SparseCore.Models.Data;
using SparseCore.Models.Modules;
using SparseCore.Pass.Labels;
using SparseCore.Tensors;

namespace SparseCore.Pass.Tests.Labels;

/// <summary>The greedy assignment (its order and tie rule) and the counting pass that feeds it.</summary>
public class FrequencyLabelMappingTests
{
    [Fact]
    public void Greedy_takes_the_largest_pair_first_so_a_later_class_gets_its_next_choice()
    {
        // Target 2 predicts source 1 most (7), but source 1 goes to target 0 first (8, after the 9
        // of source 0 → target 1), so target 2 gets source 2 (6).
        long[,] counts =
        {
            { 5, 9, 0 },
            { 8, 7, 7 },
            { 0, 2, 6 },
            { 4, 3, 3 },
        };
        Assert.Equal([1, 0, 2], FrequencyLabelMapping.Greedy(counts));
        Assert.Equal(9, counts[0, 1]); // the caller's matrix is left as it was
    }

    [Fact]
    public void Ties_go_to_the_first_entry_in_row_major_order()
    {
        // (1, 0) and (1, 1) tie: the lower target takes source 1, target 1 gets source 0.
        Assert.Equal([1, 0], FrequencyLabelMapping.Greedy(new long[,] { { 0, 0 }, { 2, 2 } }));
        // All equal: lowest source to lowest target, never the last rows.
        Assert.Equal([0, 1], FrequencyLabelMapping.Greedy(new long[,] { { 3, 3 }, { 3, 3 }, { 3, 3 }, { 3, 3 } }));
        // (0, 1) ties with (2, 0) and (2, 1): row 0 comes first, then row 2 keeps column 0.
        Assert.Equal([2, 0], FrequencyLabelMapping.Greedy(new long[,] { { 1, 4 }, { 0, 0 }, { 4, 4 } }));
    }

    [Fact]
    public void More_target_classes_than_source_classes_are_refused()
    {
        var e = Assert.Throws<ArgumentException>(() => FrequencyLabelMapping.Greedy(new long[2, 3]));
        Assert.Contains("3 target classes", e.Message);
        Assert.Contains("2-class source head", e.Message);
    }

    [Fact]
    public void Compute_counts_each_samples_top1_source_class_against_its_label()
    {
        using var cpu = new CpuBackend();
        const int sources = 5;
        // Each image is a one-hot vector over the 5 source classes, and the head is the identity, so
        // the top-1 source class is the hot pixel.
        int[] hot = [2, 2, 2, 1, /**/ 2, 2, 4, /**/ 0, 3, 3, 1];
        int[] labels = [0, 0, 0, 0, /**/ 1, 1, 1, /**/ 2, 2, 2, 2];
        var images = new float[hot.Length * sources];
        for (int i = 0; i < hot.Length; i++) images[i * sources + hot[i]] = 1f;
        var data = new ImageDataset(images, labels, sources, 1, 1, 3, "one-hot");
        var identity = new float[sources * sources];
        for (int s = 0; s < sources; s++) identity[s * sources + s] = 1f;
        using var model = new Sequential(new Flatten(),
            new Linear(Tensor.FromArray(cpu, identity, new Shape(sources, sources)), Tensor.Zeros(cpu, new Shape(sources))));
        using var loader = new DataLoader(data, batchSize: 4, seed: 3);

        // Counts by target: 0 → {2: 3, 1: 1}; 1 → {2: 2, 4: 1}; 2 → {3: 2, 0: 1, 1: 1}. Target 0 takes
        // source 2 (3), target 2 source 3 (2), target 1 is left with source 4.
        var counts = FrequencyLabelMapping.CountPredictions(model, loader, 3);
        Assert.Equal(3, counts[2, 0]);
        Assert.Equal(2, counts[3, 2]);
        Assert.Equal(hot.Length, counts.Cast<long>().Sum());
        Assert.True(model.Training);
        Assert.Equal([2, 4, 3], FrequencyLabelMapping.Compute(model, loader, 3));

        model.Eval();
        FrequencyLabelMapping.Compute(model, loader, 3);
        Assert.False(model.Training);
        var e = Assert.Throws<ArgumentException>(() => FrequencyLabelMapping.Compute(model, loader, 2));
        Assert.Contains("labelled 2", e.Message);
    }
}
