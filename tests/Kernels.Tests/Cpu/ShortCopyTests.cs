using SparseCore.Kernels.Cpu;

namespace SparseCore.Kernels.Tests.Cpu;

/// <summary>The inline row copy: every length from 0 to 50 at odd offsets, exact, and not a float past the end written.</summary>
public unsafe class ShortCopyTests
{
    [Fact]
    public void Copies_exactly_the_run_and_nothing_past_it()
    {
        var source = Enumerable.Range(0, 64).Select(i => i * 1.5f - 7f).ToArray();
        for (int length = 0; length <= 50; length++)
            for (int offset = 0; offset < 3; offset++)
            {
                var target = Enumerable.Repeat(float.NaN, 70).ToArray();
                fixed (float* from = source, to = target) ShortCopy.Floats(from + offset, to + 1, length);
                Assert.True(float.IsNaN(target[0]), $"length {length}: the float before the run was written");
                for (int i = 0; i < length; i++) Assert.Equal(source[offset + i], target[1 + i]);
                for (int i = 1 + length; i < target.Length; i++) Assert.True(float.IsNaN(target[i]), $"length {length}: float {i - 1 - length} past the run was written");
            }
    }
}
