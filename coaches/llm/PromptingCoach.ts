import type { Coach, CoachInput } from '../../core/contracts/Coach.js';

/** A coach that can show the prompt it would send (LLM coaches and wrappers around them). */
export interface PromptingCoach extends Coach {
  renderPrompt(input: CoachInput): Promise<string>;
}

export function isPromptingCoach(coach: Coach): coach is PromptingCoach {
  return typeof (coach as Partial<PromptingCoach>).renderPrompt === 'function';
}
