using ILGPU;

namespace SparseCore.Kernels.Ilgpu;

/// <summary>
/// Group-wide reductions for explicitly grouped kernels whose group size is a power of two
/// (≤ <see cref="IlgpuBackend.MaxGroupSize"/>). A fixed shared-memory tree — partner t + s for
/// s = G/2, G/4, … — so the summation order depends only on G: bit-identical run after run.
/// Every thread of the group must call these (they contain barriers).
/// </summary>
internal static class IlgpuGroupReduce
{
    public static float Sum(ArrayView<float> shared, float value)
    {
        int t = Group.IdxX;
        shared[t] = value;
        Group.Barrier();
        for (int s = Group.DimX / 2; s > 0; s >>= 1)
        {
            if (t < s) shared[t] += shared[t + s];
            Group.Barrier();
        }
        float total = shared[0];
        Group.Barrier(); // everyone has read shared[0] before the array is reused
        return total;
    }

    public static float Max(ArrayView<float> shared, float value)
    {
        int t = Group.IdxX;
        shared[t] = value;
        Group.Barrier();
        for (int s = Group.DimX / 2; s > 0; s >>= 1)
        {
            if (t < s) shared[t] = MaxNaN(shared[t], shared[t + s]);
            Group.Barrier();
        }
        float total = shared[0];
        Group.Barrier();
        return total;
    }

    /// <summary>Max in which NaN wins (as the CPU backend's running maximum does).</summary>
    public static float MaxNaN(float a, float b) => float.IsNaN(a) ? a : float.IsNaN(b) ? b : (b > a ? b : a);

    /// <summary>
    /// (value, index) maximum with the CPU's sequential rule made order-free: the first NaN if any,
    /// else the largest value, ties (including ±0) to the smaller index.
    /// </summary>
    public static bool Beats(float v, int i, float best, int bestIndex)
    {
        bool vNaN = float.IsNaN(v), bestNaN = float.IsNaN(best);
        if (vNaN || bestNaN) return vNaN && (!bestNaN || i < bestIndex);
        return v > best || (v == best && i < bestIndex);
    }

    public static void ArgMax(ArrayView<float> values, ArrayView<int> indices, ref float value, ref int index)
    {
        int t = Group.IdxX;
        values[t] = value;
        indices[t] = index;
        Group.Barrier();
        for (int s = Group.DimX / 2; s > 0; s >>= 1)
        {
            if (t < s && Beats(values[t + s], indices[t + s], values[t], indices[t]))
            {
                values[t] = values[t + s];
                indices[t] = indices[t + s];
            }
            Group.Barrier();
        }
        value = values[0];
        index = indices[0];
        Group.Barrier();
    }
}
