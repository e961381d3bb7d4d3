using SparseCore.Kernels.Conv;

namespace SparseCore.Kernels.Tests.Conv;

/// <summary>The cut of m output rows into micro-panels: every row once, in order, 1–6 rows a panel, as few panels as 6-row ones; balanced, no two panels more than a row apart.</summary>
public class RowPanelsTests
{
    [Fact]
    public void Every_row_is_in_one_panel_and_balanced_panels_differ_by_at_most_one_row()
    {
        for (int m = 1; m <= 50; m++)
            foreach (bool balanced in new[] { false, true })
            {
                var panels = new RowPanels(m, balanced);
                int next = 0;
                for (int i = 0; i < panels.Count; i++)
                {
                    Assert.Equal(next, panels.First(i));
                    Assert.InRange(panels.Rows(i), 1, 6);
                    next += panels.Rows(i);
                }
                Assert.Equal(m, next);
                Assert.Equal((m + 5) / 6, panels.Count);
                var rows = Enumerable.Range(0, panels.Count).Select(panels.Rows).ToArray();
                if (balanced) Assert.InRange(rows.Max() - rows.Min(), 0, 1);
                if (!balanced) Assert.Equal(m - (panels.Count - 1) * 6, panels.Rows(panels.Count - 1));
            }
    }
}
