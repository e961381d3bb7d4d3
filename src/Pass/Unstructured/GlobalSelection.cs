namespace SparseCore.Pass.Unstructured;

/// <summary>
/// One global cut over all prunable weights: given a score per weight (higher keeps), remove
/// exactly k = ⌊s·N⌋ of the N weights for sparsity s — the k smallest scores, ties at the cut
/// broken by global index (the earlier weight goes first, in <see cref="PrunableWeights"/>' order),
/// so the count is exact even when many scores are equal (a random or all-equal layer). VPNs' code
/// cuts at τ = the k-th smallest |s| and may remove a few more on ties; here the count is the budget.
/// Linear time: a quickselect finds the cut value, one pass writes the masks.
/// </summary>
public static class GlobalSelection
{
    /// <summary>k = ⌊s·N⌋, with s·N rounded to 6 decimal places first so that 0.9·N is not one short by binary rounding.</summary>
    public static long RemovedCount(double sparsity, long total)
    {
        if (!(sparsity >= 0 && sparsity < 1)) throw new ArgumentException($"sparsity must lie in [0, 1), got {sparsity}");
        return (long)Math.Floor(Math.Round(sparsity * total, 6));
    }

    /// <summary>0/1 masks, one per score array, removing <see cref="RemovedCount"/> weights.</summary>
    public static float[][] Masks(IReadOnlyList<float[]> scores, double sparsity)
    {
        long total = scores.Sum(s => (long)s.Length);
        return Masks(scores, RemovedCount(sparsity, total));
    }

    /// <summary>0/1 masks removing exactly <paramref name="removed"/> weights: the smallest scores, earlier index first on ties.</summary>
    public static float[][] Masks(IReadOnlyList<float[]> scores, long removed)
    {
        ArgumentNullException.ThrowIfNull(scores);
        var masks = scores.Select(s => new float[s.Length]).ToArray();
        Cut(scores, removed, masks, new float[scores.Sum(s => (long)s.Length)]);
        return masks;
    }

    /// <summary>
    /// <see cref="Masks(IReadOnlyList{float[]}, long)"/> into <paramref name="masks"/> (one per score
    /// array, of its length), with <paramref name="scratch"/> (all the scores' length) for the
    /// quickselect: the allocation-free form for a cut made at every training step.
    /// </summary>
    public static void Cut(IReadOnlyList<float[]> scores, long removed, float[][] masks, float[] scratch)
    {
        ArgumentNullException.ThrowIfNull(scores);
        long total = scores.Sum(s => (long)s.Length);
        if (removed < 0 || removed > total) throw new ArgumentException($"cannot remove {removed} of {total} weights");
        if (scratch.Length != total || masks.Length != scores.Count || masks.Where((m, l) => m.Length != scores[l].Length).Any())
            throw new ArgumentException("GlobalSelection: the masks and the scratch must match the scores' lengths");
        if (removed == 0)
        {
            foreach (var m in masks) Array.Fill(m, 1f);
            return;
        }
        long at = 0;
        for (int l = 0; l < scores.Count; l++)
        {
            var s = scores[l];
            for (int i = 0; i < s.Length; i++)
                if (!float.IsFinite(s[i])) throw new ArgumentException($"score {i} of layer {l} is {s[i]}; a global cut needs finite scores");
            s.CopyTo(scratch, at);
            at += s.Length;
        }
        float cut = KthSmallest(scratch, (int)(removed - 1));
        // Everything below the cut goes; of the scores equal to it, the earliest go until k are gone.
        long below = 0;
        foreach (var s in scores)
            foreach (float v in s)
                if (v < cut) below++;
        long tiesToRemove = removed - below;
        for (int l = 0; l < scores.Count; l++)
        {
            var s = scores[l];
            var m = masks[l];
            for (int i = 0; i < s.Length; i++)
            {
                float v = s[i];
                bool drop = v < cut || (v == cut && tiesToRemove-- > 0);
                m[i] = drop ? 0f : 1f;
            }
        }
    }

    /// <summary>The value of rank <paramref name="k"/> (0-based) of <paramref name="values"/>, which it reorders (Hoare quickselect, median-of-three pivot).</summary>
    internal static float KthSmallest(float[] values, int k)
    {
        int lo = 0, hi = values.Length - 1;
        while (lo < hi)
        {
            int mid = lo + (hi - lo) / 2;
            float a = values[lo], b = values[mid], c = values[hi];
            float pivot = Math.Max(Math.Min(a, b), Math.Min(Math.Max(a, b), c));
            int i = lo, j = hi;
            while (i <= j)
            {
                while (values[i] < pivot) i++;
                while (values[j] > pivot) j--;
                if (i <= j)
                {
                    (values[i], values[j]) = (values[j], values[i]);
                    i++;
                    j--;
                }
            }
            if (k <= j) hi = j;
            else if (k >= i) lo = i;
            else return values[k];
        }
        return values[k];
    }
}
