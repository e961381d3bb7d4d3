using SparseCore.Kernels.Memory;

namespace SparseCore.Kernels.Tests.Masked;

/// <summary>
/// ScoreMaskBackward's inputs and its double-precision reference. Every output is one float
/// rounding of a double product that is exact (two floats multiply exactly in double, and
/// sign(s)·m ∈ {−1, 0, 1}), so a correct kernel matches the reference rounded to float bit for bit.
/// </summary>
internal sealed record ScoreMaskCase(float[] W, float[] S, float[] M, float[] Dy)
{
    /// <summary>How the outputs are requested: both, one of them, or dw written over dy.</summary>
    public static readonly string[] Variants = ["both", "dw", "ds", "dw=dy"];

    private const int Tail = 5; // output elements past n that must stay untouched
    private const float Sentinel = 7.25f;

    public int N => W.Length;

    /// <summary>Uniform values, with exact zeros (+0 and −0) among the scores and a 0/1 mask keeping the larger half of |s|.</summary>
    public static ScoreMaskCase Random(int n, int seed)
    {
        var rng = new System.Random(seed);
        float Next() => (float)(rng.NextDouble() * 2 - 1);
        var w = new float[n]; var s = new float[n]; var dy = new float[n];
        for (int i = 0; i < n; i++)
        {
            w[i] = Next(); dy[i] = Next();
            s[i] = i % 7 == 3 ? 0f : i % 11 == 5 ? -0f : Next();
        }
        var m = new float[n];
        foreach (int i in Enumerable.Range(0, n).OrderByDescending(i => MathF.Abs(s[i])).ThenBy(i => i).Take((n + 1) / 2)) m[i] = 1f;
        return new ScoreMaskCase(w, s, m, dy);
    }

    public (float[] Dw, float[] Ds) Reference()
    {
        var dw = new float[N]; var ds = new float[N];
        for (int i = 0; i < N; i++)
        {
            dw[i] = (float)((double)Dy[i] * M[i]);
            ds[i] = (float)(Math.Sign((double)S[i]) * (double)Dy[i] * W[i]);
        }
        return (dw, ds);
    }

    /// <summary>Runs the backward with the outputs of <paramref name="variant"/>; an output not requested comes back null.</summary>
    public (float[]? Dw, float[]? Ds) Run(Backend backend, string variant)
    {
        int n = N;
        using var w = Upload(backend, W); using var s = Upload(backend, S); using var m = Upload(backend, M);
        using var dy = Upload(backend, variant == "dw=dy" ? [.. Dy, .. Enumerable.Repeat(Sentinel, Tail)] : Dy);
        using var dw = variant is "both" or "dw" ? Output(backend, n) : null;
        using var ds = variant is "both" or "ds" or "dw=dy" ? Output(backend, n) : null;
        var dwOut = variant == "dw=dy" ? dy : dw;
        backend.ScoreMaskBackward(w, s, m, dy, dwOut, ds, n);
        return (dwOut is null ? null : Written(backend, dwOut, n), ds is null ? null : Written(backend, ds, n));
    }

    private static DeviceBuffer<float> Upload(Backend backend, float[] data)
    {
        var buffer = backend.Allocate<float>(data.Length);
        backend.Upload<float>(data, buffer);
        return buffer;
    }

    private static DeviceBuffer<float> Output(Backend backend, int n)
    {
        var buffer = backend.Allocate<float>(n + Tail);
        backend.Fill(buffer, Sentinel);
        return buffer;
    }

    /// <summary>The first n elements, after checking that the tail past n was not written.</summary>
    private static float[] Written(Backend backend, DeviceBuffer<float> buffer, int n)
    {
        var all = backend.ToArray(buffer);
        for (int i = n; i < all.Length; i++) Assert.True(all[i] == Sentinel, $"element {i} past n = {n} was written: {all[i]}");
        return all[..n];
    }

    /// <summary>Runs <paramref name="variant"/> and asserts each requested output equals the rounded reference exactly.</summary>
    public void AssertMatchesReference(Backend backend, string variant, string what)
    {
        var (wantDw, wantDs) = Reference();
        var (dw, ds) = Run(backend, variant);
        Assert.Equal(variant != "ds", dw is not null);
        Assert.Equal(variant != "dw", ds is not null);
        if (dw is not null) AssertExact(dw, wantDw, $"{what} dw");
        if (ds is not null) AssertExact(ds, wantDs, $"{what} dScores");
    }

    private static void AssertExact(float[] got, float[] want, string what)
    {
        for (int i = 0; i < want.Length; i++)
            Assert.True(got[i] == want[i], $"{what}: element {i} is {got[i]:R}, the reference {want[i]:R}");
    }
}
