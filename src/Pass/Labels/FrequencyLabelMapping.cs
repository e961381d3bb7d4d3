using SparseCore.Models.Data;
using SparseCore.Models.Modules;
using SparseCore.Tensors;

namespace SparseCore.Pass.Labels;

/// <summary>
/// Frequency label mapping (ILM-VP's generate_label_mapping_by_frequency, which VPNs reuses): a
/// pretrained head of S source classes serves a task of C ≤ S target classes by giving each target
/// class its own source class — greedily, the pair (source, target) seen most often among the
/// training samples' top-1 predictions first.
/// </summary>
public static class FrequencyLabelMapping
{
    /// <summary>
    /// The map (map[c] = source class of target class c) from <paramref name="counts"/>[s, c], the
    /// number of samples of target class c predicted as source class s. C times: the largest entry
    /// left is assigned, and its row and column leave; ties go to the first in row-major order
    /// (lowest s, then lowest c), as torch.argmax over the flattened matrix picks.
    /// </summary>
    public static int[] Greedy(long[,] counts)
    {
        ArgumentNullException.ThrowIfNull(counts);
        int sources = counts.GetLength(0), targets = counts.GetLength(1);
        if (targets < 1) throw new ArgumentException("FrequencyLabelMapping: the count matrix has no target classes");
        if (targets > sources)
            throw new ArgumentException($"FrequencyLabelMapping: {targets} target classes cannot each have their own class of a {sources}-class source head");
        var left = (long[,])counts.Clone();
        foreach (long n in left)
            if (n < 0) throw new ArgumentException($"FrequencyLabelMapping: counts must be non-negative, found {n}");

        // −1 marks a row or column already assigned; every entry still in play is ≥ 0, so the strict
        // comparison finds one and keeps the first of equal ones. O(C²·S): trivial beside the data pass.
        var map = new int[targets];
        for (int k = 0; k < targets; k++)
        {
            int bestSource = -1, bestTarget = -1;
            long best = -1;
            for (int s = 0; s < sources; s++)
                for (int c = 0; c < targets; c++)
                    if (left[s, c] > best) (best, bestSource, bestTarget) = (left[s, c], s, c);
            map[bestTarget] = bestSource;
            for (int c = 0; c < targets; c++) left[bestSource, c] = -1;
            for (int s = 0; s < sources; s++) left[s, bestTarget] = -1;
        }
        return map;
    }

    /// <summary>
    /// One pass of <paramref name="model"/> (in evaluation mode, without a tape; its mode is restored
    /// after) over <paramref name="loader"/>, counting each sample's top-1 source class against its
    /// label, then <see cref="Greedy"/>. Pass the network as it will be trained — with its prompt,
    /// ILM-VP recomputing the map as the prompt learns — and the loader whose samples decide the
    /// map (its augmentation, if any, applies).
    /// </summary>
    public static int[] Compute(Module model, DataLoader loader, int targetClasses) =>
        Greedy(CountPredictions(model, loader, targetClasses));

    /// <summary>The count matrix [source classes, <paramref name="targetClasses"/>] that <see cref="Compute"/> maps from.</summary>
    public static long[,] CountPredictions(Module model, DataLoader loader, int targetClasses)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(loader);
        if (targetClasses < 1) throw new ArgumentException($"FrequencyLabelMapping: target classes must be at least 1, got {targetClasses}");
        bool wasTraining = model.Training;
        model.Eval();
        try
        {
            using var noGrad = Autograd.NoGrad();
            var backend = model.Parameters().First().Value.Backend;
            long[,]? counts = null;
            foreach (var batch in loader.Epoch(0))
            {
                using var scope = new TensorScope();
                var x = Tensor.FromArray(backend, batch.Pixels, new Shape(batch.Count, batch.Channels, batch.Height, batch.Width));
                var logits = model.Forward(x);
                if (logits.Rank != 2)
                    throw new ArgumentException($"FrequencyLabelMapping: the model gives {logits.Shape}, not logits [N, source classes]");
                counts ??= new long[logits.Shape[1], targetClasses];
                using var argmax = F.ArgMax(logits, 1);
                var predicted = argmax.ToArray();
                var labels = batch.Labels;
                for (int i = 0; i < batch.Count; i++)
                {
                    if ((uint)labels[i] >= (uint)targetClasses)
                        throw new ArgumentException($"FrequencyLabelMapping: a sample is labelled {labels[i]}, outside the {targetClasses} target classes");
                    counts[predicted[i], labels[i]]++;
                }
            }
            return counts ?? throw new ArgumentException("FrequencyLabelMapping: the loader gave no samples to count");
        }
        finally
        {
            model.Train(wasTraining);
        }
    }
}
