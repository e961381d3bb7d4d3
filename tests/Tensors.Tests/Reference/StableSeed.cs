namespace SparseCore.Tensors.Tests.Reference;

/// <summary>A test case's random seed from its name, the same in every run (string.GetHashCode is randomised per process).</summary>
internal static class StableSeed
{
    public static int Of(string name) => name.Aggregate(17, (h, ch) => unchecked(h * 31 + ch)) & 0x7fffffff;
}
