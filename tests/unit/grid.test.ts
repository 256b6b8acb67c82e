import { describe, expect, it } from 'vitest';
import { moveFocus } from '@/lib/browser/grid';

// The header (4 controls: the page's checkbox and three sorts), three rows of 3 (checkbox, Edit,
// Delete), one with none (a row on its way out), and a last row of 3.
const widths = [4, 3, 3, 0, 3];

describe('grid focus', () => {
  it('moves between rows in the same column, passing over rows with no control', () => {
    expect(moveFocus('ArrowDown', false, { row: 1, col: 1 }, widths)).toEqual({ row: 2, col: 1 });
    expect(moveFocus('ArrowDown', false, { row: 2, col: 2 }, widths)).toEqual({ row: 4, col: 2 });
    expect(moveFocus('ArrowUp', false, { row: 4, col: 0 }, widths)).toEqual({ row: 2, col: 0 });
  });

  it('keeps to the row it reaches: a column the row lacks becomes its last', () => {
    expect(moveFocus('ArrowDown', false, { row: 0, col: 3 }, widths)).toEqual({ row: 1, col: 2 });
    expect(moveFocus('ArrowUp', false, { row: 1, col: 2 }, widths)).toEqual({ row: 0, col: 2 });
  });

  it('stays at the edges', () => {
    expect(moveFocus('ArrowUp', false, { row: 0, col: 0 }, widths)).toBeNull();
    expect(moveFocus('ArrowDown', false, { row: 4, col: 1 }, widths)).toBeNull();
    expect(moveFocus('ArrowLeft', false, { row: 2, col: 0 }, widths)).toBeNull();
    expect(moveFocus('ArrowRight', false, { row: 2, col: 2 }, widths)).toBeNull();
  });

  it('moves along a row with the side arrows, Home and End', () => {
    expect(moveFocus('ArrowRight', false, { row: 2, col: 0 }, widths)).toEqual({ row: 2, col: 1 });
    expect(moveFocus('ArrowLeft', false, { row: 2, col: 2 }, widths)).toEqual({ row: 2, col: 1 });
    expect(moveFocus('Home', false, { row: 2, col: 2 }, widths)).toEqual({ row: 2, col: 0 });
    expect(moveFocus('End', false, { row: 0, col: 0 }, widths)).toEqual({ row: 0, col: 3 });
  });

  it('goes to the first or last row with Ctrl+Home and Ctrl+End', () => {
    expect(moveFocus('Home', true, { row: 4, col: 2 }, widths)).toEqual({ row: 0, col: 0 });
    expect(moveFocus('End', true, { row: 1, col: 1 }, widths)).toEqual({ row: 4, col: 1 });
  });

  it('leaves every other key alone', () => {
    expect(moveFocus(' ', false, { row: 1, col: 0 }, widths)).toBeNull();
    expect(moveFocus('Enter', false, { row: 1, col: 0 }, widths)).toBeNull();
  });
});
