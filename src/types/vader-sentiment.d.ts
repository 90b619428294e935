/** The official JavaScript port of VADER (Hutto & Gilbert 2014); the package ships no types. */
declare module 'vader-sentiment' {
  export interface PolarityScores {
    readonly neg: number;
    readonly neu: number;
    readonly pos: number;
    /** Normalised sum of the valence scores, −1 (most negative) … +1 (most positive). */
    readonly compound: number;
  }
  export const SentimentIntensityAnalyzer: { polarity_scores(text: string): PolarityScores };
  const vader: { SentimentIntensityAnalyzer: typeof SentimentIntensityAnalyzer };
  export default vader;
}
