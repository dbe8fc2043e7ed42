/**
 * What the config file's own problems tell the user to do, in the words of the door they came
 * through: on GitHub the workspace is empty until a step checks the repository out; the command
 * line reads the file where it is started.
 */
export interface ConfigWords {
  /** How to have the config file where the step looks for it. */
  missingFile: string;
}

export const ACTION_CONFIG_WORDS: ConfigWords = {
  missingFile: 'check out the repository first, e.g. with actions/checkout',
};

export const CLI_CONFIG_WORDS: ConfigWords = {
  missingFile:
    "run the command from the root of the repository's checkout, or give the file's path relative to the working folder",
};
