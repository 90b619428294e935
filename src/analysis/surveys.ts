import type { SimDb } from './open.js';

export interface SurveyMeanRow {
  survey: string;
  question: string;
  step: number;
  cohort: string;
  answered: number;
  unanswered: number;
  mean: number | null;
  sd: number | null;
}

/** Mean and spread of each survey's answers by step and cohort: opinion over time. */
export function surveyMeans(db: SimDb): Promise<SurveyMeanRow[]> {
  return db.query<SurveyMeanRow>(
    `SELECT survey, any_value(question) AS question, step, cohort,
            count(answer)::INTEGER AS answered, (count(*) - count(answer))::INTEGER AS unanswered,
            avg(answer)::DOUBLE AS mean, stddev_samp(answer)::DOUBLE AS sd
     FROM survey_answers GROUP BY survey, step, cohort ORDER BY survey, step, cohort`,
  );
}
